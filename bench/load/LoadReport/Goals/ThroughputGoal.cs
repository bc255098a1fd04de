namespace LoadReport.Goals;

/// <summary>A target's requests/s at least <paramref name="AtLeast"/> times a reference target's.</summary>
/// <param name="Label">What the line is about; it starts "{Label}, {target's name}: ".</param>
/// <param name="Scenario">The scenario both are measured in (the target's).</param>
/// <param name="Target">The target held to the bound.</param>
/// <param name="Reference">The target it is compared with.</param>
/// <param name="AtLeast">The least ratio of the medians that meets the goal.</param>
/// <param name="Wording">The rest of the line, with the figures {rps} (the target's), {reference} (the reference's),
/// {ratio}, {bound} and {cpu} (both targets' CPU per request, or nothing); the verdict follows it.</param>
/// <param name="ReferenceScenario">The reference's scenario when it is not <paramref name="Scenario"/>.</param>
internal sealed record ThroughputGoal(
    string Label, string Scenario, string Target, string Reference, Bound AtLeast, string Wording, string? ReferenceScenario = null) : Goal
{
    public override IEnumerable<string> Lines(ResultTable results)
    {
        var target = results.Find(Scenario, Target);
        var reference = results.Find(ReferenceScenario ?? Scenario, Reference);
        if (target is null || reference is null)
        {
            yield break;
        }

        var ratio = target.RequestsPerSecond.Median / reference.RequestsPerSecond.Median;
        var figures = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["rps"] = Format.Number(target.RequestsPerSecond.Median, 0),
            ["reference"] = Format.Number(reference.RequestsPerSecond.Median, 0),
            ["ratio"] = Format.Ratio(ratio),
            ["bound"] = AtLeast.ToString(),
            ["cpu"] = CpuComparison(target, reference),
        };
        yield return $"{Label}, {Targets.NameOf(Target)}: {Sentence.Fill(Wording, figures)} — {Verdict(ratio >= AtLeast.Value)}";
    }
}
