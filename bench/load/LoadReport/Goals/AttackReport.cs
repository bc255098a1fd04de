namespace LoadReport.Goals;

/// <summary>
/// Report only, an attack scenario: what the attack cost the catalog per second on each target, and the p99 and
/// refusals the legitimate client alongside it saw.
/// </summary>
internal sealed record AttackReport(string Scenario) : Goal
{
    public override IEnumerable<string> Lines(ResultTable results)
    {
        var parts = new List<string>();
        foreach (var target in Targets.All)
        {
            var result = results.Find(Scenario, target.Id);
            if (result?.DbQueriesPerSecond is null)
            {
                continue;
            }

            var legit = result.LegitimateClient is not { } client
                ? ""
                : $", legit p99 {Format.Number(client.P99Ms.Median, 2)} ms ({Format.Number(client.Non2xxPercent!.Median, 1)}% refused)";
            parts.Add($"{target.Name} {Format.Number(result.DbQueriesPerSecond.Median, 0)} DB queries/s{legit}");
        }

        if (parts.Count > 0)
        {
            yield return $"{Scenarios.Get(Scenario).ShortName} (issue 13, report only): {string.Join("; ", parts)}";
        }
    }
}
