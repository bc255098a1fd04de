using LoadReport.Goals;

namespace LoadReport;

/// <summary>
/// The targets the report holds the gateway to (its "Targets" section, from issues 5, 11 and 13), in the order the
/// section lists them. Change a threshold here; each entry's type says how its figure is measured and worded.
/// </summary>
internal static class GoalTable
{
    private const string EdgeGuard = "edgeguard";
    private const string EdgeGuardRedis = "edgeguard-redis";

    public static readonly IReadOnlyList<Goal> All =
    [
        // 1. Penetration (issue 5): at most 1.2% of requests reach the catalog's database; at least 5x nginx's requests/s.
        .. Penetration(EdgeGuard),
        .. Penetration(EdgeGuardRedis),

        // 2. Bloom reject (issue 5), penetration and the repeated missing id: at least 0.9x bare Kestrel's requests/s,
        //    1.1x nginx's cached-404 requests/s (nginx on the repeated missing id), p99 at most 3 ms.
        .. BloomReject("penetration", EdgeGuard),
        .. BloomReject("missing_repeated", EdgeGuard),
        .. BloomReject("penetration", EdgeGuardRedis),
        .. BloomReject("missing_repeated", EdgeGuardRedis),

        // 3. Hot ids (issue 11): the embedded cache at least as fast as bare Kestrel; Redis (an L1 in front of it) 0.9x the embedded cache.
        new ThroughputGoal("Hot ids", "hot", EdgeGuard, "bare-kestrel", new(1.0, 1),
            "{rps} req/s = {ratio} bare Kestrel's {reference} (target >= {bound}x){cpu}"),
        new ThroughputGoal("Hot ids", "hot", EdgeGuardRedis, EdgeGuard, new(0.9, 1),
            "{rps} req/s = {ratio} the embedded cache's {reference} (target >= {bound}x){cpu}"),

        // 4. Cold ids (issue 11): embedded at least 0.9x, Redis 0.75x the plain YARP pass-through.
        new ThroughputGoal("Cold ids", "cold", EdgeGuard, "yarp-passthrough", new(0.9, 2), ColdWording),
        new ThroughputGoal("Cold ids", "cold", EdgeGuardRedis, "yarp-passthrough", new(0.75, 2), ColdWording),

        // A/Bs against other builds run side by side: issue 11 holds the cache tier to 0.9x the build before it on hot
        // and cold ids; the other scenarios, and the second other build, are reported.
        new AbComparison("edgeguard-before", new(0.9, 2), ["hot", "cold"]),
        new AbComparison("edgeguard-before2"),

        // 7 and 8 (issue 13, report only): what an attack costs the catalog per second, and the legitimate client's latency.
        new AttackReport("precomputed_fp"),
        new AttackReport("sweep"),

        // 6. Expiry stampede (issue 5): exactly 1 upstream request per expiry per instance.
        new StampedeGoal(EdgeGuard),
        new StampedeGoal(EdgeGuardRedis),
        new StampedeGoal("nginx", ReportOnly: "issue 5 quotes 32–64 per expiry for proxy_cache_lock alone"),
    ];

    private const string ColdWording = "{rps} req/s = {ratio} the YARP pass-through's {reference} (target >= {bound}x{cpu})";

    private static Goal[] Penetration(string gateway) =>
    [
        new DbShareGoal("Penetration", "penetration", gateway, new(1.2, 1), ["nginx", "catalog"]),
        new ThroughputGoal("Penetration", "penetration", gateway, "nginx", new(5, 0),
            "{rps} req/s = {ratio} nginx's {reference} (target >= {bound}x{cpu})"),
    ];

    private static Goal[] BloomReject(string scenario, string gateway)
    {
        var label = $"Bloom reject ({Scenarios.Get(scenario).ShortName})";
        return
        [
            new ThroughputGoal(label, scenario, gateway, "bare-kestrel", new(0.9, 1),
                "{rps} req/s = {ratio} bare Kestrel's {reference} (target >= {bound}x){cpu}"),
            new ThroughputGoal(label, scenario, gateway, "nginx", new(1.1, 1),
                "{ratio} nginx's cached-404 throughput {reference} req/s (target >= {bound}x)", ReferenceScenario: "missing_repeated"),
            new LatencyGoal(label, scenario, gateway, new(3, 0), "bare-kestrel", "bare Kestrel"),
        ];
    }
}
