namespace LoadReport;

/// <summary>A server under test (bench/load/run.sh's TARGETS), as the report names and draws it.</summary>
/// <param name="Id">The name run.sh and runs.jsonl use.</param>
/// <param name="Name">The name in tables, target lines and the chart.</param>
/// <param name="Color">Its bars' colour in the chart.</param>
/// <param name="ReportsSources">Its answers' <c>X-EdgeGuard-Source</c> shares go in the notes.</param>
/// <param name="UsesRedis">redis-server's CPU time per request goes in the notes.</param>
internal sealed record TargetInfo(string Id, string Name, string Color, bool ReportsSources = false, bool UsesRedis = false);

/// <summary>The targets, in the order the report shows them.</summary>
internal static class Targets
{
    public static readonly IReadOnlyList<TargetInfo> All =
    [
        new("edgeguard", "EdgeGuard (embedded cache)", "#1b9e77", ReportsSources: true),
        new("edgeguard-before", "EdgeGuard, " + Label("BEFORE_LABEL", "another build (A/B)"), "#9ad0b8"),
        new("edgeguard-before2", "EdgeGuard, " + Label("BEFORE2_LABEL", "a second other build (A/B)"), "#c7e9c0"),
        new("edgeguard-redis", "EdgeGuard (Redis)", "#66c2a5", ReportsSources: true, UsesRedis: true),
        new("edgeguard-budget", "EdgeGuard + per-client budget", "#0b5d44", ReportsSources: true),
        new("nginx", "nginx proxy_cache", "#d95f02"),
        new("nginx-limit", "nginx + limit_req per client", "#a6761d"),
        new("catalog", "catalog, unprotected", "#7570b3"),
        new("bare-kestrel", "bare Kestrel 404", "#666666"),
        new("yarp-passthrough", "YARP pass-through", "#e7298a"),
    ];

    private static readonly Dictionary<string, TargetInfo> ById = All.ToDictionary(t => t.Id, StringComparer.Ordinal);

    /// <summary>The target called <paramref name="id"/>, or null for one the report does not know.</summary>
    public static TargetInfo? Get(string id) => ById.GetValueOrDefault(id);

    /// <summary>The report's name for <paramref name="id"/>.</summary>
    public static string NameOf(string id) => ById[id].Name;

    /// <summary>What another build is, as run.sh's BEFORE_LABEL / BEFORE2_LABEL say (e.g. "a8a0aea, hand-written cache").</summary>
    private static string Label(string variable, string otherwise) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } label ? label : otherwise;
}
