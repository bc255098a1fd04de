using EdgeGuard.Faults.Checker.Checks;
using EdgeGuard.Faults.Checker.History;

namespace EdgeGuard.Faults.Tests.Checker;

public sealed class CachedAnswersCheckTests
{
    private static CheckResult Run(HistoryBuilder history) =>
        new CachedAnswersCheck().Evaluate(history.Operations, Timeline.Of(history.Operations), HistoryBuilder.Settings);

    [Fact]
    public void A_5xx_or_no_answer_from_an_instance_for_an_id_it_answered_from_its_cache_before_is_a_violation()
    {
        var result = Run(new HistoryBuilder()
            .Read(ReadTarget.Existing, "HAVE-1", 1, at: 1, 200, "cache", age: 0)
            .Read(ReadTarget.Existing, "HAVE-1", 1, at: 5, 503, "upstream")
            .Read(ReadTarget.Existing, "HAVE-1", 1, at: 6, null, null));

        Assert.Equal((2, 2), (result.Checked, result.Violations));
    }

    [Fact]
    public void A_violation_says_whether_the_instance_was_forwarding_missing_ids_then()
    {
        var result = Run(new HistoryBuilder()
            .Read(ReadTarget.Existing, "HAVE-1", 1, at: 1, 200, "cache", age: 0)
            .MissingReads(1, 4.9, 5.2, "upstream")
            .Read(ReadTarget.Existing, "HAVE-1", 1, at: 5, 503, "upstream")
            .Read(ReadTarget.Existing, "HAVE-1", 1, at: 9, 503, "upstream"));

        Assert.Contains("3 of 3 forwarded", result.Examples[0], StringComparison.Ordinal);
        Assert.Contains("no missing-id read through it within 250 ms", result.Examples[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Another_instances_cache_answer_is_no_evidence_for_this_one()
    {
        var result = Run(new HistoryBuilder()
            .Read(ReadTarget.Existing, "HAVE-1", 0, at: 1, 200, "cache", age: 0)
            .Read(ReadTarget.Existing, "HAVE-1", 1, at: 5, 503, "upstream"));

        Assert.True(result.Passed, result.ToString());
        Assert.Equal(0, result.Checked);
    }

    [Fact]
    public void Failures_before_the_id_was_ever_answered_from_a_cache_are_not_judged()
    {
        var result = Run(new HistoryBuilder()
            .Read(ReadTarget.Existing, "HAVE-1", 0, at: 1, 200, "upstream")
            .Read(ReadTarget.Existing, "HAVE-1", 1, at: 2, 504, "upstream")
            .Read(ReadTarget.Existing, "HAVE-1", 1, at: 3, 200, "cache", age: 1)
            .Read(ReadTarget.Existing, "HAVE-1", 1, at: 3.005, 503, "upstream")); // started before the cache answer ended

        Assert.True(result.Passed, result.ToString());
        Assert.Equal(0, result.Checked);
    }

    [Fact]
    public void Requests_to_an_instance_while_it_was_down_are_not_judged()
    {
        var result = Run(new HistoryBuilder()
            .Read(ReadTarget.Existing, "HAVE-1", 1, at: 1, 200, "cache", age: 0)
            .Down(1, from: 2, readyAt: 6)
            .Read(ReadTarget.Existing, "HAVE-1", 1, at: 1.9, null, null, took: 0.2) // in flight when it was killed
            .Read(ReadTarget.Existing, "HAVE-1", 1, at: 4, null, null)
            .Read(ReadTarget.Existing, "HAVE-1", 1, at: 7, 502, "upstream"));

        Assert.Equal((1, 1), (result.Checked, result.Violations));
    }

    [Fact]
    public void An_answer_older_than_its_freshness_must_be_labelled_stale()
    {
        var result = Run(new HistoryBuilder()
            .Read(ReadTarget.Existing, "HAVE-1", 0, at: 1, 200, "cache", age: 5)
            .Read(ReadTarget.Existing, "HAVE-1", 0, at: 2, 200, "cache", age: 6)
            .Read(ReadTarget.Existing, "HAVE-1", 0, at: 3, 200, "stale", age: 7));

        Assert.Equal(1, result.Violations);
        Assert.Contains("not labelled stale", result.Examples.Single(), StringComparison.Ordinal);
        Assert.Equal("1 stale", result.Detail);
    }

    [Fact]
    public void A_stale_404_or_a_stale_answer_past_the_fail_safe_age_is_a_violation()
    {
        var result = Run(new HistoryBuilder()
            .Read(ReadTarget.Missing, "MISS-1", 0, at: 1, 404, "stale", age: 1)
            .Read(ReadTarget.Existing, "HAVE-1", 0, at: 1, 200, "stale", age: 3601));

        Assert.Equal(2, result.Violations);
    }
}
