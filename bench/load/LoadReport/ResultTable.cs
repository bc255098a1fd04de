namespace LoadReport;

/// <summary>The runs aggregated per (scenario, target): medians and ranges over rounds.</summary>
internal sealed class ResultTable
{
    private readonly Dictionary<(string Scenario, string Target), TargetResult> _results;

    private ResultTable(Dictionary<(string Scenario, string Target), TargetResult> results) => _results = results;

    public static ResultTable From(IEnumerable<Run> runs) =>
        new(runs.GroupBy(r => (r.Scenario, r.Target)).ToDictionary(g => g.Key, g => Aggregate(g.Key.Scenario, g.Key.Target, g)));

    /// <summary>The target's result in the scenario, or null if it was not run there.</summary>
    public TargetResult? Find(string scenario, string target) => _results.TryGetValue((scenario, target), out var r) ? r : null;

    public bool HasScenario(string scenario) => _results.Keys.Any(k => k.Scenario == scenario);

    public bool HasTarget(string target) => _results.Keys.Any(k => k.Target == target);

    private static TargetResult Aggregate(string scenario, string target, IEnumerable<Run> group)
    {
        var runs = group.OrderBy(r => r.Round).ToList();
        var withExpiries = runs.Where(r => r.ExpiryBursts is > 0).ToList();
        return new TargetResult
        {
            Scenario = scenario,
            Target = target,
            Runs = runs,
            RequestsPerSecond = Spread.Of(runs.Select(r => r.Load.RequestsPerSecond))!,
            P50Ms = Spread.Of(runs.Select(r => r.Load.P50Ms))!,
            P99Ms = Spread.Of(runs.Select(r => r.Load.P99Ms))!,
            Non2xxPercent = Spread.Of(runs.Select(r => Percent(r.Load.Non2xx, r.Load.Requests)))!,
            Status404Percent = runs.All(r => r.Load.Status404 is not null)
                ? Spread.Of(runs.Select(r => Percent(r.Load.Status404!.Value, r.Load.Requests)))
                : null,
            DbQueriesPer1k = Spread.Of(runs.Select(r => PerThousand(r.DbQueries, r.Load.Requests)))!,
            DbQueriesPerSecond = Spread.Of(runs.Select(r => r.DbQueries / r.DurationSeconds)),
            GatewayUpstreamPer1k = runs.All(r => r.GatewayUpstreamRequests is not null)
                ? Spread.Of(runs.Select(r => PerThousand(r.GatewayUpstreamRequests!.Value, r.Load.Requests)))
                : null,
            DbQueriesPerExpiry = withExpiries.Count > 0 ? Spread.Of(withExpiries.Select(r => (double)r.DbQueries / r.ExpiryBursts!.Value)) : null,
            ExpiriesSeen = withExpiries.Count > 0 ? Spread.Of(withExpiries.Select(r => (double)r.ExpiryBursts!.Value)) : null,
            LargestBurst = withExpiries.Count > 0 ? Spread.Of(withExpiries.Select(r => (double)(r.LargestBurst ?? 0))) : null,
            SocketErrors = runs.Sum(r => r.Load.SocketErrors),
            WrappedRequests = runs.Sum(r => r.Load.WrappedRequests),
            SourcePercent = Targets.Get(target)?.ReportsSources == true && runs.All(r => r.Load.Sources is not null) ? SourcePercent(runs) : null,
            CpuUsPerRequest = Spread.Of(runs.Where(r => r.TargetCpuMs is not null && r.Load.Requests > 0)
                .Select(r => 1000.0 * r.TargetCpuMs!.Value / r.Load.Requests)),
            RedisCpuUsPerRequest = Targets.Get(target)?.UsesRedis == true
                ? Spread.Of(runs.Where(r => r.RedisCpuMs is not null && r.Load.Requests > 0).Select(r => 1000.0 * r.RedisCpuMs!.Value / r.Load.Requests))
                : null,
            MachineBusyPercent = Spread.Of(runs.Where(r => r.MachineBusyPercent is not null).Select(r => r.MachineBusyPercent!.Value)),
            LegitimateClient = runs.All(r => r.LegitimateClient is not null) ? Legitimate(runs.Select(r => r.LegitimateClient!).ToList()) : null,
        };
    }

    private static Dictionary<string, double> SourcePercent(List<Run> runs)
    {
        var total = runs.Sum(r => r.Load.Requests);
        return runs.SelectMany(r => r.Load.Sources!)
            .GroupBy(kv => kv.Key)
            .ToDictionary(k => k.Key, k => total == 0 ? 0 : 100.0 * k.Sum(kv => kv.Value) / total, StringComparer.Ordinal);
    }

    private static LegitimateClientResult Legitimate(List<WrkSummary> legit) => new(
        Spread.Of(legit.Select(l => l.RequestsPerSecond))!,
        Spread.Of(legit.Select(l => l.P50Ms))!,
        Spread.Of(legit.Select(l => l.P99Ms))!,
        Spread.Of(legit.Select(l => Percent(l.Non2xx, l.Requests))));

    /// <summary>NaN (left out of a spread) for a run with no requests.</summary>
    private static double Percent(long part, long whole) => whole == 0 ? double.NaN : 100.0 * part / whole;

    private static double PerThousand(long part, long requests) => requests == 0 ? double.NaN : 1000.0 * part / requests;
}
