using StackExchange.Redis;
using ZiggyCreatures.Caching.Fusion;

namespace EdgeGuard.Proxy.Tests.Redis;

/// <summary>
/// Two instances refresh a hot id at about the same moment. One takes the lock, fetches, writes Redis and releases
/// the lock; the backplane then replaces the entry in the other's memory, in place, while the other's refresh still
/// waits to try the lock (on a busy machine, its attempt reached Redis after the release). That refresh, holding the
/// lock at last, finds the entry it refreshes fetched a moment ago, and fetches nothing: one catalog request for the
/// lifetime. The waiting refresh is held at a latch at its lock attempt, and let go once its memory holds the other
/// instance's answer.
/// </summary>
[Integration]
[Collection(RedisCollection.Name)]
public sealed class OvertakenRefreshTests
{
    private const string Id = "OVERTAKEN-1";

    [Fact]
    public async Task Refresh_overtaken_while_it_waited_for_its_lock_fetches_nothing()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var catalog = await ScriptedCatalog.StartAsync([Id]);
        var holding = 0;
        var refreshAtLock = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var letGo = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var instance = Gateways.Build().WithUpstream(catalog.Url).WithIds([Id]).WithRedis(redis)
            .WithSetting("EdgeGuard:Cache:RedisTimeout", "00:00:02")
            .WithSetting("EdgeGuard:Cache:PositiveTtl", "00:00:03")
            .WithSetting("EdgeGuard:Cache:MemoryTtl", "00:00:03")
            .WithQuietCluster();
        await using var first = instance.InProcess();
        await using var second = instance.WithServices(services => InterceptedLocker.Install(services, beforeAcquire: async wait =>
        {
            // An eager refresh tries the lock without waiting for it; it is the one held here.
            if (wait == TimeSpan.Zero && Interlocked.Exchange(ref holding, 0) == 1)
            {
                refreshAtLock.TrySetResult();
                await letGo.Task;
            }
        })).InProcess();
        using var firstClient = await first.CreateReadyClientAsync();
        using var secondClient = await second.CreateReadyClientAsync();
        var secondCache = second.Services.GetRequiredService<ProductCache>();

        // The first instance fetches the id; the second reads it from Redis.
        await ReadAsync(firstClient);
        await ReadAsync(secondClient);
        Assert.Equal(1, catalog.ProductReads);
        var fetchedFirst = (await secondCache.PeekAsync(Id))!.FetchedAt;

        // The second instance's reads past its entry's eager point start its refresh, held at its lock attempt.
        Volatile.Write(ref holding, 1);
        await Eventually.TrueAsync(async () =>
        {
            await ReadAsync(secondClient);
            return refreshAtLock.Task.IsCompleted;
        }, TimeSpan.FromSeconds(10), "the second instance did not start a refresh");

        // The first instance refreshes meanwhile (eagerly, or once the entry expired): the lifetime's catalog request.
        await Eventually.TrueAsync(async () =>
        {
            await ReadAsync(firstClient);
            return catalog.ProductReads == 2;
        }, TimeSpan.FromSeconds(10), "the first instance did not refresh the id");

        // The backplane brings that answer into the second instance's memory.
        await Eventually.TrueAsync(async () => await secondCache.PeekAsync(Id) is { } entry && entry.FetchedAt > fetchedFirst, TimeSpan.FromSeconds(10),
            "the second instance's memory did not hear of the first instance's refresh");

        // The held refresh tries the lock now, takes it (it is free) and goes on.
        using var admin = await redis.ConnectAdminAsync();
        var lockKey = CacheKeys.Product(Id) + FusionCacheInternalStrings.DefaultDistributedLockerLockNameSuffix;
        var attempts = await CommandStats.CallsAsync(admin.GetServer(admin.GetEndPoints().Single()), "set");
        letGo.SetResult();
        await Eventually.TrueAsync(async () => await CommandStats.CallsAsync(admin.GetServer(admin.GetEndPoints().Single()), "set") > attempts &&
            !await admin.GetDatabase().KeyExistsAsync(lockKey), TimeSpan.FromSeconds(10), "the held refresh did not take and release its lock");

        Assert.Equal(2, catalog.ProductReads);
    }

    private static async Task ReadAsync(HttpClient client)
    {
        using var answer = await client.GetAsync("/products/" + Id);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
    }
}
