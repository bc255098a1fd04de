using EdgeGuard.Faults.Checker.Checks;
using EdgeGuard.Faults.Checker.History;

namespace EdgeGuard.Faults.Checker;

/// <summary>Every check on one history, and the counts the results table shows beside them.</summary>
public static class HistoryChecker
{
    /// <summary>The checks, in the table's order.</summary>
    public static IReadOnlyList<ICheck> Checks { get; } =
    [
        new NoFalse404Check(),
        new NoLostWriteCheck(),
        new RefusedWritesCheck(),
        new CachedAnswersCheck(),
        new ShieldCheck(),
        new MissingIdRateCheck(),
        new No500Check(),
    ];

    public static Verdict Check(IReadOnlyList<Operation> history, CheckSettings settings)
    {
        var timeline = Timeline.Of(history);
        var results = Checks.Select(check => check.Evaluate(history, timeline, settings)).ToList();
        var clientOps = history.Where(op => op.Kind is OpKind.Create or OpKind.Read or OpKind.Announce).ToList();
        var creates = clientOps.Where(op => op.Kind == OpKind.Create).ToList();
        return new Verdict(results, new HistoryCounts(
            Operations: clientOps.Count,
            Creates: creates.Count,
            Acknowledged: creates.Count(op => op.IsSuccess),
            Refused: creates.Count(op => op.Status == 503),
            Unanswered: creates.Count(op => !op.IsSuccess && op.Status != 503),
            Stale: clientOps.Count(op => op.Source == "stale"),
            Announced: clientOps.Count(op => op.Kind == OpKind.Announce && op.IsSuccess)));
    }
}

/// <summary>What the history holds: client operations, creates by outcome, stale answers, announcements answered.</summary>
/// <param name="Unanswered">Creates with neither a 2xx nor a 503 (a timeout, a 502/504, a client cut off): outcome unknown to the client.</param>
public sealed record HistoryCounts(int Operations, int Creates, int Acknowledged, int Refused, int Unanswered, int Stale, int Announced);

/// <summary>Each check's result and the history's counts.</summary>
public sealed record Verdict(IReadOnlyList<CheckResult> Results, HistoryCounts Counts)
{
    public bool Passed => Results.All(result => result.Passed);
}
