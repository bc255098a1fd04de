using EdgeGuard.Proxy.Caching;
using StackExchange.Redis;

namespace EdgeGuard.Proxy.Tests.Redis;

/// <summary>
/// A command Redis never answers fails soon after <c>RedisTimeout</c>, not whenever the client next looks:
/// StackExchange.Redis finds overdue commands on its heartbeat, every second unless told otherwise, which turned the
/// default 100 ms timeout into anything up to 1.1 s.
/// </summary>
[Integration]
[Collection(RedisCollection.Name)]
public sealed class RedisTimeoutTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(100);

    [Fact]
    public async Task A_command_a_frozen_redis_never_answers_fails_within_a_few_timeouts()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var gateway = Gateways.Build().WithIds(["SKU-1"]).WithRedis(redis)
            .WithSetting("EdgeGuard:Cache:RedisTimeout", Timeout.ToString())
            .InProcess();
        using var client = await gateway.CreateReadyClientAsync();
        var connection = await gateway.Services.GetRequiredService<RedisConnection>().ConnectAsync();
        var db = connection.GetDatabase();

        // Each round freezes a Redis that has just answered, so only the timeout ends the command (the client's
        // dead-socket rule needs a second without any answer). With the client's default one-second heartbeat these
        // commands failed after 0.8-1.0 s each; now after 0.12 s.
        var waits = new List<TimeSpan>();
        for (var round = 0; round < 5; round++)
        {
            await Eventually.ValueAsync(() => TryPingAsync(db), answered => answered, TimeSpan.FromSeconds(10));
            redis.Freeze();
            try
            {
                var stopwatch = Stopwatch.StartNew();
                var failure = await Record.ExceptionAsync(() => db.StringGetAsync("edgeguard-timeout-probe"));
                waits.Add(stopwatch.Elapsed);
                Assert.True(failure is RedisTimeoutException or RedisConnectionException, $"round {round}: {failure?.GetType().Name ?? "an answer"} from a frozen Redis");
            }
            finally
            {
                redis.Thaw();
            }
        }

        // The median, so one round whose timer a busy machine ran late does not decide.
        var median = waits.Order().ElementAt(waits.Count / 2);
        Assert.True(median < Timeout * 4,
            $"with a {Timeout.TotalMilliseconds} ms timeout, commands to a frozen Redis failed after {string.Join(", ", waits.Select(w => $"{w.TotalMilliseconds:F0} ms"))}");
    }

    private static async Task<bool> TryPingAsync(IDatabase db)
    {
        try
        {
            await db.PingAsync();
            return true;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return false;
        }
    }
}
