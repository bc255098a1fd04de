using System.Globalization;
using EdgeGuard.Faults.Checker.History;

namespace EdgeGuard.Faults.Checker.Checks;

/// <summary>
/// The shield comes back: after each heal, every instance rejects a missing id with its filter (<c>bloom</c>) within
/// <see cref="CheckSettings.RecoveryLimit"/>. The recovery time of an instance is from the heal to the end of its first
/// missing-id read, started after the heal, that the filter rejected. (That it then keeps rejecting is the rate check's.)
/// </summary>
public sealed class ShieldCheck : ICheck
{
    public string Name => "shield back in time";

    public CheckResult Evaluate(IReadOnlyList<Operation> history, Timeline timeline, CheckSettings settings)
    {
        var missing = history.Where(op => op.Kind == OpKind.Read && op.Target == ReadTarget.Missing).OrderBy(op => op.Start).ToList();
        var violations = new List<string>();
        var judged = 0;
        var slowest = 0.0;
        foreach (var healed in timeline.Heals)
        {
            for (var instance = 0; instance < settings.Instances; instance++)
            {
                judged++;
                var first = missing.FirstOrDefault(op => op.Instance == instance && op.Start >= healed && op.Source == "bloom");
                if (first is null)
                {
                    violations.Add($"gw-{instance} never rejected a missing id with its filter after the heal at {Describe.Seconds(healed)}");
                    continue;
                }

                var recovery = first.End - healed;
                slowest = Math.Max(slowest, recovery);
                if (recovery > settings.RecoveryLimit.TotalMilliseconds)
                {
                    violations.Add($"gw-{instance} rejected a missing id with its filter only {Describe.Seconds(recovery)} after the heal at {Describe.Seconds(healed)}: {Describe.Op(first)}");
                }
            }
        }

        return CheckResult.From(Name, judged, violations,
            string.Create(CultureInfo.InvariantCulture, $"recovery {slowest / 1000:0.00} s"));
    }
}
