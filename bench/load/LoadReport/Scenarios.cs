namespace LoadReport;

/// <summary>A scenario of bench/load/run.sh (its SCENARIOS), as the report names it.</summary>
/// <param name="Id">The name run.sh and runs.jsonl use.</param>
/// <param name="Title">The heading of the scenario's table.</param>
/// <param name="ShortName">The name in target lines and chart panels.</param>
/// <param name="IsAttack">An attacker and a legitimate client measured alongside it (their own table).</param>
internal sealed record ScenarioInfo(string Id, string Title, string ShortName, bool IsAttack = false);

/// <summary>The scenarios, in the order the report shows them.</summary>
internal static class Scenarios
{
    public static readonly IReadOnlyList<ScenarioInfo> All =
    [
        new("penetration", "1. Penetration attack: a unique random missing id per request", "1 penetration"),
        new("missing_repeated", "2. One missing id, repeated", "2 repeated missing id"),
        new("hot", "3. Hot existing ids (100 ids, cache hits)", "3 hot ids"),
        new("mixed", "4. Mixed: 70% existing ids (Zipf s=1 over 10,000), 30% unique missing ids", "4 mixed"),
        new("cold", "5. Cold existing ids: every request a different existing id", "5 cold ids"),
        new("stampede", "6. Expiry stampede: one hot id, short TTL", "6 expiry stampede"),
        new("precomputed_fp",
            "7. Precomputed false positives: absent ids computed offline to pass an unkeyed filter of the same ids, with a legitimate client alongside",
            "7 precomputed false positives", IsAttack: true),
        new("sweep",
            "8. Sweep: one client walking real ids in order, every request a cold miss, with a legitimate client alongside",
            "8 sweep", IsAttack: true),
    ];

    private static readonly Dictionary<string, ScenarioInfo> ById = All.ToDictionary(s => s.Id, StringComparer.Ordinal);

    /// <summary>The scenario called <paramref name="id"/>.</summary>
    public static ScenarioInfo Get(string id) => ById[id];
}
