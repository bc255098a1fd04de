using ZiggyCreatures.Caching.Fusion.Locking;

namespace EdgeGuard.Proxy.Tests;

/// <summary>
/// The lock around a miss in this instance (<see cref="KeyedMemoryLocker"/>): one id, one lock, so concurrent misses
/// for it make one fetch (SingleFlightTests drive that through the gateway); an id held never holds up another; and
/// nothing is kept for an id once its misses are done, where FusionCache's standard locker keeps a semaphore, a cache
/// entry and a callback for every id for 5 minutes.
/// </summary>
public sealed class KeyedMemoryLockerTests
{
    private static readonly TimeSpan NoWait = TimeSpan.Zero;

    [Fact]
    public async Task An_id_held_cannot_be_taken_again_until_it_is_released()
    {
        using var locker = new KeyedMemoryLocker();

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
        using var locker = new KeyedMemoryLocker();
        var held = await AcquireAsync(locker, "SKU-1", NoWait);

        var waiting = AcquireAsync(locker, "SKU-1", Timeout.InfiniteTimeSpan).AsTask();
        Assert.False(waiting.IsCompleted);
        locker.ReleaseLock("c", "i", "o", "SKU-1", held, null);

        Assert.NotNull(await waiting.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    /// <summary>
    /// FusionCache keeps the lock while a fetch it let finish in the background runs (a hung catalog: up to its
    /// timeout). Holding one id must not make any other id wait: the striped locker this replaces shared 8,192
    /// semaphores by hash, and 100,000 other ids here would have met the held one's stripe about twelve times.
    /// </summary>
    [Fact]
    public async Task An_id_held_never_holds_up_another()
    {
        using var locker = new KeyedMemoryLocker();
        Assert.NotNull(await AcquireAsync(locker, "HUNG-1", NoWait));

        var refused = 0;
        foreach (var id in Enumerable.Range(0, 100_000).Select(i => $"SKU-{i}"))
        {
            var held = await AcquireAsync(locker, id, NoWait);
            refused += held is null ? 1 : 0;
            locker.ReleaseLock("c", "i", "o", id, held, null);
        }

        Assert.Equal(0, refused);
    }

    [Fact]
    public async Task Nothing_is_kept_for_an_id_once_its_misses_are_done()
    {
        using var locker = new KeyedMemoryLocker();
        foreach (var id in Enumerable.Range(0, 100_000).Select(i => $"COLD-{i:D7}"))
        {
            var held = await AcquireAsync(locker, id, NoWait);
            Assert.NotNull(held);
            locker.ReleaseLock("c", "i", "o", id, held, null);
        }

        // A waiter that gave up leaves nothing either, and the holder it waited for keeps its lock.
        var holder = await AcquireAsync(locker, "SKU-1", NoWait);
        Assert.Null(await AcquireAsync(locker, "SKU-1", TimeSpan.FromMilliseconds(1)));
        Assert.Equal(1, locker.Gates);
        Assert.Null(await AcquireAsync(locker, "SKU-1", NoWait));
        locker.ReleaseLock("c", "i", "o", "SKU-1", holder, null);

        Assert.Equal(0, locker.Gates);
    }

    /// <summary>For the record: many misses for a few ids at once, on the thread pool; never two holders of one id,
    /// and nothing left once they are done.</summary>
    [Fact]
    public async Task Concurrent_misses_for_a_few_ids_never_hold_one_id_twice()
    {
        using var locker = new KeyedMemoryLocker();
        var holders = new int[4];
        var overlaps = 0;

        await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            for (var round = 0; round < 2_000; round++)
            {
                var slot = (worker + round) % holders.Length;
                var id = $"HOT-{slot}";
                var held = await locker.AcquireLockAsync("c", "i", "o", id, Timeout.InfiniteTimeSpan, null, CancellationToken.None);
                if (Interlocked.Increment(ref holders[slot]) != 1)
                {
                    Interlocked.Increment(ref overlaps);
                }

                Interlocked.Decrement(ref holders[slot]);
                locker.ReleaseLock("c", "i", "o", id, held, null);
            }
        })));

        Assert.Equal(0, overlaps);
        Assert.Equal(0, locker.Gates);
    }

    private static ValueTask<object?> AcquireAsync(IFusionCacheMemoryLocker locker, string id, TimeSpan timeout) =>
        locker.AcquireLockAsync("c", "i", "o", id, timeout, null, CancellationToken.None);
}
