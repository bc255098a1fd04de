using System.Globalization;
using EdgeGuard.Faults.Checker.History;

namespace EdgeGuard.Faults.Checker.Checks;

/// <summary>
/// Outside the fault windows (from each injection to <see cref="CheckSettings.RecoveryLimit"/> after its heal, and from
/// each kill to that long after the restart was ready) the catalog sees missing ids at the filter's rate only. Every
/// missing-id read asks for an id of its own (never repeated, so never negatively cached): one the filter lets through is
/// forwarded, labelled <c>upstream</c>, at the configured false-positive rate when the filter works. The check fails when
/// the count forwarded exceeds the binomial bound at <see cref="CheckSettings.Significance"/>, a count a filter at its
/// configured rate would reach by chance less than once in a million runs; a shield that stayed down (forwarding every
/// missing id) for even a few percent of the time outside the windows exceeds it.
/// </summary>
public sealed class MissingIdRateCheck : ICheck
{
    public string Name => "missing ids at the filter's rate";

    public CheckResult Evaluate(IReadOnlyList<Operation> history, Timeline timeline, CheckSettings settings)
    {
        var disturbed = timeline.Disturbed(settings.RecoveryLimit);
        var outside = history
            .Where(op => op.Kind == OpKind.Read && op.Target == ReadTarget.Missing && op.Status is not null)
            .Where(op => !disturbed.Any(span => span.Overlaps(op.Start, op.End)))
            .ToList();
        var forwarded = outside.Where(op => op.Source != "bloom").ToList();
        var bound = BinomialBound.UpperLimit(outside.Count, settings.FalsePositiveRate, settings.Significance);
        var violations = forwarded.Count > bound
            ? forwarded.Select(op => $"forwarded outside the fault windows: {Describe.Op(op)}").ToList()
            : [];
        return new CheckResult(Name, outside.Count, forwarded.Count > bound ? forwarded.Count : 0,
            string.Create(CultureInfo.InvariantCulture, $"{forwarded.Count} of {outside.Count} forwarded, bound {bound}"),
            [.. violations.Take(CheckResult.MaxExamples)]);
    }
}
