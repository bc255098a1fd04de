namespace LoadReport.Goals;

/// <summary>
/// Expiry stampede: per round, the DB queries against the expiries seen. Met when every round saw expiries, each let
/// exactly one query through (never two in one sampling interval), and no more expiries than fit in the run.
/// </summary>
/// <param name="ReportOnly">Why the target is reported and not judged; null to judge it.</param>
internal sealed record StampedeGoal(string Target, string? ReportOnly = null) : Goal
{
    private const string Scenario = "stampede";

    public override IEnumerable<string> Lines(ResultTable results)
    {
        var result = results.Find(Scenario, Target);
        if (result is null)
        {
            yield break;
        }

        var perRound = result.Runs.Select(r => $"{r.DbQueries}/{r.ExpiryBursts ?? 0}");
        var fit = result.Runs.Select(r => r.TtlSeconds is > 0 ? ExpiriesThatFit(r) : 0).Max();
        var text = $"Expiry stampede, {Targets.NameOf(Target)}: DB queries / expiries seen, per round: {string.Join(", ", perRound)} " +
                   $"(at most {fit} expiries fit in a run; largest burst {Format.Number(result.LargestBurst?.Max ?? 0, 0)})";
        if (ReportOnly is not null)
        {
            yield return text + $" (report only; {ReportOnly})";
            yield break;
        }

        var exact = result.Runs.All(r => r.ExpiryBursts is > 0 && r.DbQueries == r.ExpiryBursts && r.LargestBurst == 1
                                         && r.TtlSeconds is > 0 && r.DbQueries <= ExpiriesThatFit(r));
        yield return text + $" (target exactly 1 per expiry) — {Verdict(exact)}";
    }

    /// <summary>Expiries a run can see: one per TTL, plus one at its start.</summary>
    private static long ExpiriesThatFit(Run run) => (long)Math.Floor(run.DurationSeconds / run.TtlSeconds!.Value) + 1;
}
