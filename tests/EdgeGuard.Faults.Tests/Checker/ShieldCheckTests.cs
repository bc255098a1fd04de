using EdgeGuard.Faults.Checker.Checks;
using EdgeGuard.Faults.Checker.History;

namespace EdgeGuard.Faults.Tests.Checker;

public sealed class ShieldCheckTests
{
    private static CheckResult Run(HistoryBuilder history) =>
        new ShieldCheck().Evaluate(history.Operations, Timeline.Of(history.Operations), HistoryBuilder.Settings);

    [Fact]
    public void Each_instance_must_reject_a_missing_id_with_its_filter_within_the_limit_after_the_heal()
    {
        var result = Run(new HistoryBuilder()
            .Fault(from: 5, healedAt: 10)
            .MissingReads(0, 0, 30, "bloom")
            .MissingReads(1, 5, 12, "upstream").MissingReads(1, 12, 30, "bloom")
            .MissingReads(2, 5, 16, "upstream").MissingReads(2, 16, 30, "bloom"));

        Assert.Equal((3, 1), (result.Checked, result.Violations));
        Assert.Contains("gw-2", result.Examples.Single(), StringComparison.Ordinal);
        Assert.Equal("recovery 6.01 s", result.Detail);
    }

    [Fact]
    public void An_instance_that_never_rejects_again_fails_and_one_that_never_stopped_recovers_at_once()
    {
        var result = Run(new HistoryBuilder()
            .Fault(from: 5, healedAt: 10)
            .MissingReads(0, 0, 30, "bloom")
            .MissingReads(1, 0, 30, "bloom")
            .MissingReads(2, 5, 30, "upstream"));

        Assert.Equal(1, result.Violations);
        Assert.Contains("never rejected", result.Examples.Single(), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_heal_is_judged()
    {
        var result = Run(new HistoryBuilder()
            .Fault(from: 5, healedAt: 10)
            .Fault(from: 20, healedAt: 25)
            .MissingReads(0, 0, 40, "bloom").MissingReads(1, 0, 40, "bloom")
            .MissingReads(2, 0, 20, "bloom").MissingReads(2, 20, 31, "upstream").MissingReads(2, 31, 40, "bloom"));

        Assert.Equal((6, 1), (result.Checked, result.Violations));
    }
}
