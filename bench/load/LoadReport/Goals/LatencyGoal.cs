namespace LoadReport.Goals;

/// <summary>A target's p99 latency, at most <paramref name="AtMostMs"/>.</summary>
/// <param name="Label">What the line is about; it starts "{Label}, {target's name}: ".</param>
/// <param name="ComparedWith">A target whose p99 in the same runs is shown beside it, if it was run.</param>
/// <param name="ComparedName">How the line names that target.</param>
internal sealed record LatencyGoal(string Label, string Scenario, string Target, Bound AtMostMs, string ComparedWith, string ComparedName) : Goal
{
    public override IEnumerable<string> Lines(ResultTable results)
    {
        var target = results.Find(Scenario, Target);
        if (target is null)
        {
            yield break;
        }

        var other = results.Find(Scenario, ComparedWith);
        var beside = other is null ? "" : $"; {ComparedName}'s p99 {Format.Number(other.P99Ms.Median, 2)} ms in the same runs";
        yield return $"{Label}, {Targets.NameOf(Target)}: p99 {Format.Number(target.P99Ms.Median, 2)} ms at {target.Runs[0].Connections} connections " +
                     $"(target <= {AtMostMs} ms{beside}) — {Verdict(target.P99Ms.Median <= AtMostMs.Value)}";
    }
}
