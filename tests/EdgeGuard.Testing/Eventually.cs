using System.Diagnostics;

namespace EdgeGuard.Testing;

/// <summary>Polling for a state outside the test's control (a process, a server) until it holds or time runs out.</summary>
public static class Eventually
{
    /// <summary>Polls until <paramref name="condition"/> holds or time runs out; returns the last value seen.</summary>
    public static async Task<T> ValueAsync<T>(Func<Task<T>> probe, Func<T, bool> condition, TimeSpan timeout)
    {
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            var value = await probe();
            if (condition(value) || stopwatch.Elapsed > timeout)
            {
                return value;
            }

            await Task.Delay(50);
        }
    }

    public static async Task TrueAsync(Func<Task<bool>> probe, TimeSpan timeout, string failure)
    {
        var holds = await ValueAsync(probe, value => value, timeout);
        Assert.True(holds, $"Within {timeout.TotalSeconds} s, {failure}.");
    }
}
