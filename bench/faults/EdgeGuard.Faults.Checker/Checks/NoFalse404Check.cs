using EdgeGuard.Faults.Checker.History;

namespace EdgeGuard.Faults.Checker.Checks;

/// <summary>
/// No false 404: an id the catalog was seeded with, or whose create got a 2xx, or whose announcement was answered, is
/// never answered 404 by any instance for a request that started after that answer (whoever answered it: the filter, a
/// cache or the catalog).
/// </summary>
public sealed class NoFalse404Check : ICheck
{
    public string Name => "no false 404";

    public CheckResult Evaluate(IReadOnlyList<Operation> history, Timeline timeline, CheckSettings settings)
    {
        var acknowledged = Acknowledgements.Of(history);
        var violations = new List<string>();
        var judged = 0;
        foreach (var read in history.Where(op => op.Kind == OpKind.Read && op.Id is not null))
        {
            var since = read.Target == ReadTarget.Existing ? double.NegativeInfinity : acknowledged.GetValueOrDefault(read.Id!, double.PositiveInfinity);
            if (read.Start < since)
            {
                continue;
            }

            judged++;
            if (read.Status == 404)
            {
                violations.Add($"{Describe.Op(read)}, acknowledged at {(double.IsNegativeInfinity(since) ? "the start" : Describe.Seconds(since))}");
            }
        }

        return CheckResult.From(Name, judged, violations);
    }
}
