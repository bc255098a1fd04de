using EdgeGuard.Faults.Checker.Checks;
using EdgeGuard.Faults.Checker.History;

namespace EdgeGuard.Faults.Tests.Checker;

public sealed class NoFalse404CheckTests
{
    private static CheckResult Run(HistoryBuilder history) =>
        new NoFalse404Check().Evaluate(history.Operations, Timeline.Of(history.Operations), HistoryBuilder.Settings);

    [Fact]
    public void A_404_for_a_created_id_from_a_read_started_after_the_2xx_is_a_violation()
    {
        var result = Run(new HistoryBuilder()
            .Create("NEW-1", 0, at: 1, status: 201)
            .Read(ReadTarget.AfterCreate, "NEW-1", 1, at: 1.02, 200, "upstream")
            .Read(ReadTarget.Earlier, "NEW-1", 2, at: 3, 404, "bloom"));

        Assert.False(result.Passed);
        Assert.Equal((2, 1), (result.Checked, result.Violations));
        Assert.Contains("gw-2", result.Examples.Single(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_read_that_started_before_the_2xx_came_back_is_not_judged()
    {
        var result = Run(new HistoryBuilder()
            .Create("NEW-1", 0, at: 1, status: 201, took: 0.5)
            .Read(ReadTarget.Earlier, "NEW-1", 1, at: 1.2, 404, "bloom"));

        Assert.True(result.Passed);
        Assert.Equal(0, result.Checked);
    }

    [Fact]
    public void Ids_of_refused_or_unanswered_creates_and_missing_ids_may_be_404()
    {
        var result = Run(new HistoryBuilder()
            .Create("NEW-1", 0, at: 1, status: 503)
            .Create("NEW-2", 0, at: 1, status: null)
            .Read(ReadTarget.Earlier, "NEW-1", 1, at: 2, 404, "bloom")
            .Read(ReadTarget.Earlier, "NEW-2", 1, at: 2, 404, "upstream")
            .Read(ReadTarget.Missing, "MISS-1", 1, at: 2, 404, "bloom"));

        Assert.True(result.Passed);
        Assert.Equal(0, result.Checked);
    }

    [Fact]
    public void An_answered_announcement_counts_like_a_2xx_and_a_refused_one_does_not()
    {
        var result = Run(new HistoryBuilder()
            .Announce("ANN-1", 0, at: 1, status: 200)
            .Announce("ANN-2", 0, at: 1, status: 503)
            .Read(ReadTarget.Earlier, "ANN-1", 2, at: 2, 404, "bloom")
            .Read(ReadTarget.Earlier, "ANN-2", 2, at: 2, 404, "bloom"));

        Assert.Equal((1, 1), (result.Checked, result.Violations));
        Assert.Contains("ANN-1", result.Examples.Single(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_seeded_id_is_never_404_whoever_answers()
    {
        var result = Run(new HistoryBuilder()
            .Read(ReadTarget.Existing, "HAVE-1", 0, at: 0.5, 200, "cache")
            .Read(ReadTarget.Existing, "HAVE-2", 1, at: 0.5, 404, "upstream"));

        Assert.Equal((2, 1), (result.Checked, result.Violations));
    }
}
