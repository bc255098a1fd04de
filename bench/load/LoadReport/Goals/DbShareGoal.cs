namespace LoadReport.Goals;

/// <summary>The share of a target's requests that reached the catalog's database, at most <paramref name="AtMostPercent"/>.</summary>
/// <param name="Label">What the line is about; it starts "{Label}, {target's name}: ".</param>
/// <param name="ComparedWith">Targets whose share is shown beside it (those that were run).</param>
internal sealed record DbShareGoal(string Label, string Scenario, string Target, Bound AtMostPercent, IReadOnlyList<string> ComparedWith) : Goal
{
    public override IEnumerable<string> Lines(ResultTable results)
    {
        var target = results.Find(Scenario, Target);
        if (target is null)
        {
            yield break;
        }

        var percent = target.DbQueriesPer1k.Median / 10;
        var others = string.Join(", ", ComparedWith.Select(t => results.Find(Scenario, t)).OfType<TargetResult>()
            .Select(o => $"{Targets.NameOf(o.Target)} {Format.Number(o.DbQueriesPer1k.Median / 10, 1)}%"));
        yield return $"{Label}, {Targets.NameOf(Target)}: DB queries {Format.Number(percent, 2)}% of requests " +
                     $"(target <= {AtMostPercent}%; {others}) — {Verdict(percent <= AtMostPercent.Value)}";
    }
}
