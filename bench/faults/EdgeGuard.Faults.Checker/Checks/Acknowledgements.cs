using EdgeGuard.Faults.Checker.History;

namespace EdgeGuard.Faults.Checker.Checks;

/// <summary>
/// When each id was acknowledged: the end of its create's 2xx, or of its announcement's 200 (the earliest, if several).
/// From then on every instance owes it an answer as the catalog has it.
/// </summary>
internal static class Acknowledgements
{
    public static Dictionary<string, double> Of(IReadOnlyList<Operation> history)
    {
        var acknowledged = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var op in history.Where(op => op.Kind is OpKind.Create or OpKind.Announce && op.IsSuccess))
        {
            foreach (var id in op.AllIds)
            {
                acknowledged[id] = acknowledged.TryGetValue(id, out var earlier) ? Math.Min(earlier, op.End) : op.End;
            }
        }

        return acknowledged;
    }
}
