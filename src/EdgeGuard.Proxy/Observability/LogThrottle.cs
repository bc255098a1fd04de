using System.Collections.Concurrent;

namespace EdgeGuard.Proxy.Observability;

/// <summary>
/// Keeps a failure that repeats on every request (the catalog down, Redis gone) from flooding the log: the
/// first occurrence of each cause is logged in full, then at most one line per cause per
/// <see cref="Window"/>, carrying the number of occurrences suppressed since the last line. An outage then
/// writes a few lines per minute per cause instead of one per request.
/// </summary>
public sealed class LogThrottle(TimeProvider time)
{
    /// <summary>Causes tracked at most; beyond this, new causes share one budget (an attacker cannot grow it).</summary>
    private const int MaxCauses = 256;

    private const string OtherCauses = "(other)";

    private readonly ConcurrentDictionary<string, Cause> _causes = new(StringComparer.Ordinal);

    public TimeSpan Window { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// True when an occurrence of <paramref name="cause"/> should be logged now; <paramref name="suppressed"/>
    /// then holds how many were not logged since the last line for it. False: count it and stay quiet.
    /// </summary>
    public bool ShouldLog(string cause, out long suppressed)
    {
        if (!_causes.TryGetValue(cause, out var state))
        {
            state = _causes.Count < MaxCauses ? _causes.GetOrAdd(cause, _ => new Cause()) : _causes.GetOrAdd(OtherCauses, _ => new Cause());
        }

        return state.ShouldLog(time.GetTimestamp(), time, Window, out suppressed);
    }

    private sealed class Cause
    {
        private readonly Lock _lock = new();
        private long _lastLogged = long.MinValue;
        private long _suppressed;

        public bool ShouldLog(long now, TimeProvider time, TimeSpan window, out long suppressed)
        {
            lock (_lock)
            {
                if (_lastLogged != long.MinValue && time.GetElapsedTime(_lastLogged, now) < window)
                {
                    _suppressed++;
                    suppressed = 0;
                    return false;
                }

                _lastLogged = now;
                suppressed = _suppressed;
                _suppressed = 0;
                return true;
            }
        }
    }
}
