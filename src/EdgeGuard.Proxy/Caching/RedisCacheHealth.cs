using EdgeGuard.Proxy.Observability;

namespace EdgeGuard.Proxy.Caching;

/// <summary>
/// Whether the Redis behind the cache is usable: the connection, and FusionCache's circuit breaker around it
/// (open while Redis fails: requests skip it; it closes by itself once Redis answers again). Circuit changes
/// are logged once each; they are bounded by the breaker, not by traffic.
/// </summary>
internal sealed class RedisCacheHealth(RedisConnection redis, TimeSpan breakDuration, TimeProvider time, ILogger<RedisCacheHealth> logger, LogThrottle throttle)
{
    private long _openedAt = long.MinValue;

    /// <summary>Open for the break duration after FusionCache opened it, as its breaker is: it closes by itself
    /// once the duration has passed (the next call through it tries Redis again).</summary>
    public bool CircuitOpen
    {
        get
        {
            var openedAt = Interlocked.Read(ref _openedAt);
            return openedAt != long.MinValue && time.GetElapsedTime(openedAt) < breakDuration;
        }
    }

    public string? Degradation =>
        CircuitOpen ? "Redis circuit is open: requests skip the shared cache and use this instance's memory only." :
        !redis.IsConnected ? "Redis is not connected: requests use this instance's memory only." : null;

    public void CircuitChanged(bool closed)
    {
        Interlocked.Exchange(ref _openedAt, closed ? long.MinValue : time.GetTimestamp());
        if (throttle.ShouldLog("redis-circuit:" + closed, out var suppressed))
        {
            if (closed)
            {
                LogMessages.CacheCircuitClosed(logger, suppressed);
            }
            else
            {
                LogMessages.CacheCircuitOpened(logger, suppressed);
            }
        }
    }
}
