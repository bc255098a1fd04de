using EdgeGuard.Proxy.Caching;
using ZiggyCreatures.Caching.Fusion.Locking;

namespace EdgeGuard.Proxy.Tests;

/// <summary>
/// The lock around a miss in this instance (<see cref="StripedMemoryLocker"/>): one id, one lock, so concurrent misses
/// for it make one fetch (SingleFlightTests drive that through the gateway); and nothing kept per id, where FusionCache's
/// standard locker keeps a semaphore, a cache entry and a callback for every id for 5 minutes.
/// </summary>
public sealed class StripedMemoryLockerTests
{
    private static readonly TimeSpan NoWait = TimeSpan.Zero;

    [Fact]
    public async Task An_id_held_cannot_be_taken_again_until_it_is_released()
    {
        using var locker = new StripedMemoryLocker();

        var held = await AcquireAsync(locker, "SKU-1", NoWait);
        var second = await AcquireAsync(locker, "SKU-1", NoWait);
        locker.ReleaseLock("c", "i", "o", "SKU-1", held, null);
        var after = await AcquireAsync(locker, "SKU-1", NoWait);

        Assert.NotNull(held);
        Assert.Null(second);
        Assert.NotNull(after);
    }

    [Fact]
    public async Task A_waiter_gets_the_lock_when_the_holder_releases_it()
    {
        using var locker = new StripedMemoryLocker();
        var held = await AcquireAsync(locker, "SKU-1", NoWait);

        var waiting = AcquireAsync(locker, "SKU-1", Timeout.InfiniteTimeSpan).AsTask();
        Assert.False(waiting.IsCompleted);
        locker.ReleaseLock("c", "i", "o", "SKU-1", held, null);

        Assert.NotNull(await waiting.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Ids_on_different_stripes_are_held_at_once()
    {
        using var locker = new StripedMemoryLocker();
        var first = "SKU-1";
        var other = Enumerable.Range(2, 100).Select(i => $"SKU-{i}").First(id => locker.StripeOf(id) != locker.StripeOf(first));

        Assert.NotNull(await AcquireAsync(locker, first, NoWait));
        Assert.NotNull(await AcquireAsync(locker, other, NoWait));
    }

    [Fact]
    public async Task Locking_a_hundred_thousand_distinct_ids_keeps_nothing_per_id()
    {
        using var locker = new StripedMemoryLocker();
        var ids = Enumerable.Range(0, 100_000).Select(i => $"COLD-{i:D7}").ToArray();
        await LockAndReleaseAsync(locker, ids[..1000]); // warm: the first calls of a method allocate

        var before = GC.GetAllocatedBytesForCurrentThread();
        await LockAndReleaseAsync(locker, ids);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // The standard locker allocates some 400 bytes per new id (40 MB here) and keeps them for 5 minutes.
        Assert.True(allocated < 100_000, $"{allocated:N0} bytes allocated for {ids.Length:N0} ids");
    }

    private static async Task LockAndReleaseAsync(IFusionCacheMemoryLocker locker, string[] ids)
    {
        foreach (var id in ids)
        {
            var held = await locker.AcquireLockAsync("c", "i", "o", id, NoWait, null, CancellationToken.None);
            Assert.NotNull(held);
            locker.ReleaseLock("c", "i", "o", id, held, null);
        }
    }

    private static ValueTask<object?> AcquireAsync(IFusionCacheMemoryLocker locker, string id, TimeSpan timeout) =>
        locker.AcquireLockAsync("c", "i", "o", id, timeout, null, CancellationToken.None);
}
