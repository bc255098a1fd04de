using EdgeGuard.Faults.Checker.History;

namespace EdgeGuard.Faults.Checker.Checks;

internal static class Latest
{
    /// <summary>The operation that ended last for each key.</summary>
    public static Dictionary<TKey, Operation> By<TKey>(IEnumerable<Operation> operations, Func<Operation, TKey> key) where TKey : notnull
    {
        var last = new Dictionary<TKey, Operation>();
        foreach (var op in operations.OrderBy(op => op.End))
        {
            last[key(op)] = op;
        }

        return last;
    }
}
