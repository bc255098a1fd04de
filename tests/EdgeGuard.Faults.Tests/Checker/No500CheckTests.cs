using EdgeGuard.Faults.Checker.Checks;
using EdgeGuard.Faults.Checker.History;

namespace EdgeGuard.Faults.Tests.Checker;

public sealed class No500CheckTests
{
    [Fact]
    public void A_500_for_any_request_is_a_violation_and_other_failures_are_not()
    {
        var history = new HistoryBuilder()
            .Read(ReadTarget.Existing, "HAVE-1", 0, at: 1, 500, null)
            .Create("NEW-1", 1, at: 1, status: 500)
            .Announce("ANN-1", 2, at: 1, status: 500)
            .Read(ReadTarget.Existing, "HAVE-1", 0, at: 2, 502, "upstream")
            .Read(ReadTarget.Existing, "HAVE-1", 0, at: 2, 504, "upstream")
            .Create("NEW-2", 1, at: 2, status: 503)
            .Create("NEW-3", 1, at: 2, status: null)
            .Operations;

        var result = new No500Check().Evaluate(history, Timeline.Of(history), HistoryBuilder.Settings);

        Assert.Equal((7, 3), (result.Checked, result.Violations));
    }
}
