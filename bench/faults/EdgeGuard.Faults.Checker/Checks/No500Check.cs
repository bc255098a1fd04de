using EdgeGuard.Faults.Checker.History;

namespace EdgeGuard.Faults.Checker.Checks;

/// <summary>
/// No 500 from a gateway, for any request: a 500 is the gateway failing on its own (an exception it did not expect),
/// never an answer it means. What the catalog's failures become is 502, 503 or 504, and a write that cannot be told to
/// the cluster is refused with 503.
/// </summary>
public sealed class No500Check : ICheck
{
    public string Name => "no 500";

    public CheckResult Evaluate(IReadOnlyList<Operation> history, Timeline timeline, CheckSettings settings)
    {
        var requests = history.Where(op => op.Kind is OpKind.Create or OpKind.Read or OpKind.Announce).ToList();
        var violations = requests.Where(op => op.Status == 500).Select(Describe.Op).ToList();
        return CheckResult.From(Name, requests.Count, violations);
    }
}
