using StackExchange.Redis;
using ZiggyCreatures.Caching.Fusion;
using ZiggyCreatures.Caching.Fusion.Locking.Distributed;

namespace EdgeGuard.Proxy.Tests.Redis;

/// <summary>
/// A refresh of an expired id whose lock another instance holds (it is fetching that id) waits for the lock, and goes
/// on soon after it is released, whether this instance's memory still holds the expired entry or only Redis does (a
/// first fetch, of an id neither holds, takes no lock: see <see cref="RedisCommandsPerMissTests"/>): the holder's
/// fetch takes milliseconds, and every reader of the id on this instance queues
/// behind the one waiting. FusionCache's Redis locker sleeps a random 10–800 ms between attempts; the gateway's wait
/// tries again after 10 ms, then 20, 40, 80 and 100 ms at most.
/// </summary>
[Integration]
[Collection(RedisCollection.Name)]
public sealed class DistributedLockWaitTests
{
    private const int Ids = 10;

    /// <param name="forgottenHere">The expired entry is gone from this instance's memory (as another instance's
    /// write evicts it through the backplane) and Redis alone still holds it: a refresh all the same, so it waits.</param>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Miss_behind_another_instances_lock_goes_on_soon_after_the_lock_is_released(bool forgottenHere)
    {
        await using var redis = await RedisServer.StartAsync();
        var catalog = Upstream.StartCatalog();
        try
        {
            var ids = Enumerable.Range(1, Ids).Select(i => $"LOCKED-{i}").ToList();
            foreach (var id in ids)
            {
                catalog.StubProduct(id);
            }

            TaskCompletionSource<long>? waitedFor = null;
            await using var gateway = Gateways.Build().WithUpstream(catalog.Url!).WithIds(ids).WithRedis(redis)
                .WithSetting("EdgeGuard:Cache:DistributedLockTimeout", "00:00:05")
                // A lock attempt Redis answers later than RedisTimeout is given up and the miss fetches without the lock
                // (ClusterCacheTests): far beyond any busy machine's delay here, so that every miss waits for the lock.
                .WithSetting("EdgeGuard:Cache:RedisTimeout", "00:00:02")
                .WithSetting("EdgeGuard:Cache:PositiveTtl", "00:00:01")
                .WithSetting("EdgeGuard:Cache:MemoryTtl", "00:00:01")
                .WithServices(services => InterceptedLocker.Install(services, acquired: wait =>
                {
                    if (wait > TimeSpan.Zero)
                    {
                        waitedFor?.TrySetResult(Stopwatch.GetTimestamp()); // a miss that may wait for the lock has it
                    }
                }))
                .InProcess();
            using var client = await gateway.CreateReadyClientAsync();
            var cache = gateway.Services.GetRequiredService<ProductCache>();
            // The gateway's own lock, held here as another instance holds it while it fetches.
            var locker = gateway.Services.GetRequiredService<IFusionCacheDistributedLocker>();
            using var admin = await redis.ConnectAdminAsync();
            var server = admin.GetServer(admin.GetEndPoints().Single());

            var afterRelease = TimeSpan.Zero;
            foreach (var id in ids)
            {
                // Fetched once, then expired: this instance holds it (for fail-safe), so its next miss refreshes under the lock.
                using (var first = await client.GetAsync("/products/" + id))
                {
                    Assert.Equal(HttpStatusCode.OK, first.StatusCode);
                }

                await Eventually.TrueAsync(async () => await cache.PeekAsync(id) is null, TimeSpan.FromSeconds(10), $"{id} did not expire");
                if (forgottenHere)
                {
                    await cache.EvictLocalAsync(id);
                }

                var key = CacheKeys.Product(id);
                var lockName = key + FusionCacheInternalStrings.DefaultDistributedLockerLockNameSuffix;
                var held = await locker.AcquireLockAsync("other-instance", "other-instance", "test", key, lockName, TimeSpan.Zero, null, CancellationToken.None);
                Assert.NotNull(held);
                var attempts = await LockAttemptsAsync(server);
                waitedFor = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);

                var read = client.GetAsync("/products/" + id);
                // The miss has tried the lock and found it held (a lock attempt is a SET NX): it is waiting now.
                await Eventually.TrueAsync(async () => await LockAttemptsAsync(server) > attempts, TimeSpan.FromSeconds(10), $"the miss for {id} did not try its lock");
                Assert.False(read.IsCompleted, $"{id} was answered while another instance held its lock.");
                var releasing = Stopwatch.GetTimestamp();
                await locker.ReleaseLockAsync("other-instance", "other-instance", "test", key, lockName, held, null, CancellationToken.None);
                long acquiredAt = 0;
                try
                {
                    acquiredAt = await waitedFor.Task.WaitAsync(TimeSpan.FromSeconds(10));
                }
                catch (TimeoutException)
                {
                    Assert.Fail($"The miss for {id} did not take its lock, after waiting for it, within 10 s of its release.");
                }

                afterRelease += Stopwatch.GetElapsedTime(releasing, acquiredAt);
                using var answer = await read;

                Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
                Assert.Equal("upstream", answer.Source());
            }

            Assert.Equal(2 * Ids, ids.Sum(id => catalog.CallsTo("/products/" + id)));
            // Trying again after 10, 20, 40... ms (100 ms at most), each miss has the lock within about 100 ms of its release,
            // a little more when other tests keep the cores busy. The locker's own random sleeps (10–800 ms, 405 ms on
            // average) make the sum over 10 misses about 4 s (standard deviation 0.7 s), and under 1.6 s about once in
            // three thousand runs.
            Assert.True(afterRelease < TimeSpan.FromSeconds(1.6), $"{Ids} misses took {afterRelease.TotalMilliseconds:F0} ms in all to take their lock after it was released.");
        }
        finally
        {
            catalog.Stop();
        }
    }

    /// <summary>How many SET commands Redis has run: a lock attempt is one (the gateway's other SETs come at start-up).</summary>
    private static Task<long> LockAttemptsAsync(IServer server) => CommandStats.CallsAsync(server, "set");
}
