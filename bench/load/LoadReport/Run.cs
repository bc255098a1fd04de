namespace LoadReport;

/// <summary>One measured wrk run against one target in one scenario and round: a line of runs.jsonl.</summary>
internal sealed record Run
{
    public required string Scenario { get; init; }

    /// <summary>The server under test (run.sh's TARGETS: edgeguard, nginx, catalog, ...).</summary>
    public required string Target { get; init; }

    public required int Round { get; init; }

    public required double DurationSeconds { get; init; }

    public required int Connections { get; init; }

    /// <summary>What the load's wrk saw (in scenarios 7 and 8 the attacker's).</summary>
    public required WrkSummary Load { get; init; }

    /// <summary>The catalog's <c>catalog_db_queries_total</c> delta over the run.</summary>
    public required long DbQueries { get; init; }

    /// <summary>The gateway's <c>edgeguard_upstream_requests_total</c> delta; null for targets that are not EdgeGuard.</summary>
    public long? GatewayUpstreamRequests { get; init; }

    /// <summary>Stampede scenario, caching targets: bursts of DB queries seen, one per cache expiry.</summary>
    public long? ExpiryBursts { get; init; }

    /// <summary>Stampede scenario: the most DB queries seen in one sampling interval.</summary>
    public long? LargestBurst { get; init; }

    /// <summary>Stampede scenario: the cache's time to live.</summary>
    public double? TtlSeconds { get; init; }

    /// <summary>User + system CPU time of the target's own processes during the run.</summary>
    public double? TargetCpuMs { get; init; }

    /// <summary>CPU time of the run's redis-server during the run.</summary>
    public double? RedisCpuMs { get; init; }

    /// <summary>All cores' busy share during the run (wrk included).</summary>
    public double? MachineBusyPercent { get; init; }

    /// <summary>Scenarios 7 and 8: the legitimate client's own wrk, run alongside the attacker.</summary>
    public WrkSummary? LegitimateClient { get; init; }
}

/// <summary>One wrk run's summary: the <c>WRKJSON</c> line bench/load/common.lua prints.</summary>
internal sealed record WrkSummary
{
    public required long Requests { get; init; }

    public required double RequestsPerSecond { get; init; }

    public required double P50Ms { get; init; }

    public required double P99Ms { get; init; }

    /// <summary>Answers with status >= 400 (wrk's own count).</summary>
    public required long Non2xx { get; init; }

    /// <summary>404 answers; null when wrk ran without status counting (COUNT_STATUS=0).</summary>
    public long? Status404 { get; init; }

    /// <summary>Connect, read and write errors and timeouts.</summary>
    public required long SocketErrors { get; init; }

    /// <summary>Requests that reused ids because the run's slice of ids ran out.</summary>
    public required long WrappedRequests { get; init; }

    /// <summary>Answers per <c>X-EdgeGuard-Source</c> value ("none": no header); null without status counting.</summary>
    public IReadOnlyDictionary<string, long>? Sources { get; init; }
}
