namespace LoadReport.Goals;

/// <summary>
/// This build (target edgeguard) against another build run side by side (an A/B), per scenario: requests/s,
/// held to <paramref name="AtLeast"/> times the other's in the scenarios <paramref name="JudgedIn"/>, reported in the others.
/// </summary>
/// <param name="OtherBuild">The other build's target (edgeguard-before, edgeguard-before2).</param>
internal sealed record AbComparison(string OtherBuild, Bound? AtLeast = null, IReadOnlyList<string>? JudgedIn = null) : Goal
{
    private const string ThisBuild = "edgeguard";

    public override IEnumerable<string> Lines(ResultTable results)
    {
        foreach (var scenario in Scenarios.All)
        {
            var now = results.Find(scenario.Id, ThisBuild);
            var before = results.Find(scenario.Id, OtherBuild);
            if (now is null || before is null)
            {
                continue;
            }

            var ratio = now.RequestsPerSecond.Median / before.RequestsPerSecond.Median;
            var judged = AtLeast is not null && JudgedIn?.Contains(scenario.Id) == true;
            var wanted = judged ? $" (target >= {AtLeast}x)" : "";
            var verdict = judged ? $" — {Verdict(ratio >= AtLeast!.Value)}" : "";
            yield return $"A/B, {scenario.ShortName}: this build {Format.Number(now.RequestsPerSecond.Median, 0)} req/s = {Format.Ratio(ratio)} " +
                         $"{Targets.NameOf(OtherBuild)}'s {Format.Number(before.RequestsPerSecond.Median, 0)}{wanted}{CpuComparison(now, before)}{verdict}";
        }
    }
}
