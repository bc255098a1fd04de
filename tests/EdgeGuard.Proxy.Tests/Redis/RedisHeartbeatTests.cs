using EdgeGuard.Proxy.Caching;

namespace EdgeGuard.Proxy.Tests.Redis;

/// <summary>How often the Redis client looks for overdue commands, for a given <c>RedisTimeout</c> (the integration
/// test beside it, <see cref="RedisTimeoutTests"/>, shows what it changes against a frozen Redis).</summary>
public sealed class RedisHeartbeatTests
{
    [Theory]
    [InlineData(100, 25)]
    [InlineData(500, 125)]
    [InlineData(5, 10)]
    [InlineData(30_000, 1_000)]
    public void The_client_looks_for_overdue_commands_four_times_per_timeout_within_bounds(int timeoutMs, int heartbeatMs) =>
        Assert.Equal(TimeSpan.FromMilliseconds(heartbeatMs), RedisConnection.HeartbeatFor(TimeSpan.FromMilliseconds(timeoutMs)));
}
