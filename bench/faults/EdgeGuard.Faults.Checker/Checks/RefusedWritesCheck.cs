using EdgeGuard.Faults.Checker.History;

namespace EdgeGuard.Faults.Checker.Checks;

/// <summary>
/// A refused write is refused cleanly: every create answered 503 left no row in the catalog (the catalog asked
/// directly at the end says 404). Each create uses an id of its own, never retried, so a row could only come from it.
/// </summary>
public sealed class RefusedWritesCheck : ICheck
{
    public string Name => "refused writes left no row";

    public CheckResult Evaluate(IReadOnlyList<Operation> history, Timeline timeline, CheckSettings settings)
    {
        var inCatalog = Latest.By(history.Where(op => op.Kind == OpKind.CatalogCheck && op.Id is not null), op => op.Id!);
        var refused = history.Where(op => op.Kind == OpKind.Create && op.Status == 503 && op.Id is not null).ToList();
        var violations = new List<string>();
        foreach (var create in refused)
        {
            if (!inCatalog.TryGetValue(create.Id!, out var check))
            {
                violations.Add($"{Describe.Op(create)}: the catalog was never asked about it");
            }
            else if (check.Status != 404)
            {
                violations.Add($"{Describe.Op(create)}, yet the catalog has it at the end: {Describe.Op(check)}");
            }
        }

        return CheckResult.From(Name, refused.Count, violations);
    }
}
