using EdgeGuard.Faults.Checker.Checks;
using EdgeGuard.Faults.Checker.History;

namespace EdgeGuard.Faults.Tests.Checker;

public sealed class MissingIdRateCheckTests
{
    private static CheckResult Run(HistoryBuilder history) =>
        new MissingIdRateCheck().Evaluate(history.Operations, Timeline.Of(history.Operations), HistoryBuilder.Settings);

    /// <summary>Missing-id reads on every instance, every 100 ms, one in <paramref name="forwardEvery"/> forwarded (a false positive).</summary>
    private static HistoryBuilder Steady(double from, double to, int forwardEvery = 100)
    {
        var history = new HistoryBuilder();
        var n = 0;
        for (var step = 0; step < (int)Math.Round((to - from) * 10); step++)
        {
            var at = from + step * 0.1;
            for (var instance = 0; instance < 3; instance++)
            {
                history.Read(ReadTarget.Missing, $"MISS-{n}", instance, at, 404, ++n % forwardEvery == 0 ? "upstream" : "bloom");
            }
        }

        return history;
    }

    [Fact]
    public void Forwarded_missing_ids_at_the_configured_rate_pass()
    {
        var result = Run(Steady(0, 100)); // 3,000 reads, 30 forwarded

        Assert.True(result.Passed, result.ToString());
        Assert.Equal("30 of 3000 forwarded, bound 59", result.Detail);
    }

    [Fact]
    public void A_shield_down_outside_the_fault_windows_fails()
    {
        var history = Steady(0, 100).MissingReads(1, 50, 55, "upstream"); // 5 s of one instance forwarding every missing id

        var result = Run(history);

        Assert.False(result.Passed);
        Assert.Equal(80, result.Violations);
        Assert.Equal("80 of 3050 forwarded, bound 60", result.Detail);
    }

    [Fact]
    public void Forwarding_inside_a_fault_window_and_its_grace_after_the_heal_is_allowed()
    {
        var history = Steady(0, 100)
            .Fault(from: 40, healedAt: 50)
            .MissingReads(1, 40, 54.9, "upstream");

        var result = Run(history);

        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void An_instance_down_and_restarting_is_inside_a_window_until_the_grace_after_it_was_ready()
    {
        var history = Steady(0, 100)
            .Down(2, from: 30, readyAt: 35)
            .MissingReads(2, 35, 39.9, "upstream");

        Assert.True(Run(history).Passed);
        Assert.False(Run(history.MissingReads(2, 40.5, 46, "upstream")).Passed);
    }
}
