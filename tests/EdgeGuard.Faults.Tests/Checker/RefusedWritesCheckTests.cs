using EdgeGuard.Faults.Checker.Checks;
using EdgeGuard.Faults.Checker.History;

namespace EdgeGuard.Faults.Tests.Checker;

public sealed class RefusedWritesCheckTests
{
    private static CheckResult Run(HistoryBuilder history) =>
        new RefusedWritesCheck().Evaluate(history.Operations, Timeline.Of(history.Operations), HistoryBuilder.Settings);

    [Fact]
    public void A_503_whose_id_the_catalog_does_not_have_was_refused_cleanly()
    {
        var result = Run(new HistoryBuilder().Create("NEW-1", 0, at: 1, status: 503).InCatalog("NEW-1", exists: false));

        Assert.True(result.Passed);
        Assert.Equal(1, result.Checked);
    }

    [Fact]
    public void A_503_whose_id_is_in_the_catalog_or_was_never_checked_is_a_violation()
    {
        var result = Run(new HistoryBuilder()
            .Create("NEW-1", 0, at: 1, status: 503).InCatalog("NEW-1", exists: true)
            .Create("NEW-2", 1, at: 1, status: 503));

        Assert.Equal((2, 2), (result.Checked, result.Violations));
    }

    [Fact]
    public void Other_failures_are_not_refusals()
    {
        var result = Run(new HistoryBuilder()
            .Create("NEW-1", 0, at: 1, status: 504).InCatalog("NEW-1", exists: true)
            .Create("NEW-2", 0, at: 1, status: null).InCatalog("NEW-2", exists: true));

        Assert.Equal(0, result.Checked);
    }
}
