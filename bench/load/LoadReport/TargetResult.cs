namespace LoadReport;

/// <summary>One target in one scenario over all its rounds: a row of the scenario's table.</summary>
internal sealed record TargetResult
{
    public required string Scenario { get; init; }

    public required string Target { get; init; }

    /// <summary>The runs behind the figures, by round.</summary>
    public required IReadOnlyList<Run> Runs { get; init; }

    public required Spread RequestsPerSecond { get; init; }

    public required Spread P50Ms { get; init; }

    public required Spread P99Ms { get; init; }

    public required Spread Non2xxPercent { get; init; }

    /// <summary>Null when a round ran without status counting.</summary>
    public Spread? Status404Percent { get; init; }

    /// <summary>The catalog's DB queries per 1,000 requests.</summary>
    public required Spread DbQueriesPer1k { get; init; }

    /// <summary>The catalog's DB queries per second of the run.</summary>
    public Spread? DbQueriesPerSecond { get; init; }

    /// <summary>The gateway's own upstream requests per 1,000 requests; null for targets that are not EdgeGuard.</summary>
    public Spread? GatewayUpstreamPer1k { get; init; }

    /// <summary>Stampede scenario: DB queries per expiry, over the rounds that saw an expiry; null if none did.</summary>
    public Spread? DbQueriesPerExpiry { get; init; }

    /// <summary>Stampede scenario: expiries (bursts of DB queries) seen per round.</summary>
    public Spread? ExpiriesSeen { get; init; }

    /// <summary>Stampede scenario: the most DB queries in one sampling interval.</summary>
    public Spread? LargestBurst { get; init; }

    /// <summary>Connect, read and write errors and timeouts, over all rounds.</summary>
    public required long SocketErrors { get; init; }

    /// <summary>Requests that reused ids because a slice ran out, over all rounds.</summary>
    public required long WrappedRequests { get; init; }

    /// <summary>Share of all rounds' answers per <c>X-EdgeGuard-Source</c> value, in percent; EdgeGuard targets only.</summary>
    public IReadOnlyDictionary<string, double>? SourcePercent { get; init; }

    /// <summary>The target's own CPU time per request, in µs.</summary>
    public Spread? CpuUsPerRequest { get; init; }

    /// <summary>redis-server's CPU time per request, in µs; the Redis-backed target only.</summary>
    public Spread? RedisCpuUsPerRequest { get; init; }

    public Spread? MachineBusyPercent { get; init; }

    /// <summary>Scenarios 7 and 8: what the legitimate client saw; null elsewhere.</summary>
    public LegitimateClientResult? LegitimateClient { get; init; }
}

/// <summary>The legitimate client measured alongside an attack, over the rounds.</summary>
internal sealed record LegitimateClientResult(Spread RequestsPerSecond, Spread P50Ms, Spread P99Ms, Spread? Non2xxPercent);
