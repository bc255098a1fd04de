using ZiggyCreatures.Caching.Fusion.Locking;

namespace EdgeGuard.Proxy.Caching;

/// <summary>
/// The lock FusionCache takes in this instance around a miss, so concurrent misses for one id make one fetch.
/// FusionCache's standard locker keeps a semaphore per key in a memory cache of its own, with no bound and a
/// 5-minute sliding expiry. Every distinct id a miss ever touched keeps a semaphore, a cache entry and an eviction
/// callback for 5 minutes: at a few thousand cold misses a second, millions of objects live on into gen2 only to be
/// collected there (the cold-miss profile in bench/RESULTS.md). Here a key maps to one of a fixed set of semaphores
/// by its hash: nothing is allocated per key. Two ids that share a stripe take turns with their misses (a fetch
/// takes milliseconds; with 8,192 stripes and 64 misses in flight, one miss in 130 waits for another's).
/// A fill never takes this lock for another key while it holds one (it reads the cache with TryGet, which takes no
/// lock), so sharing a stripe cannot deadlock.
/// </summary>
public sealed class StripedMemoryLocker : IFusionCacheMemoryLocker
{
    /// <summary>How many semaphores the ids share (a power of two).</summary>
    public const int Stripes = 8192;

    private readonly SemaphoreSlim[] _stripes = new SemaphoreSlim[Stripes];

    public StripedMemoryLocker()
    {
        for (var i = 0; i < _stripes.Length; i++)
        {
            _stripes[i] = new SemaphoreSlim(1, 1);
        }
    }

    /// <summary>The semaphore <paramref name="key"/> maps to.</summary>
    internal SemaphoreSlim StripeOf(string key) => _stripes[StringComparer.Ordinal.GetHashCode(key) & (Stripes - 1)];

    public async ValueTask<object?> AcquireLockAsync(string cacheName, string cacheInstanceId, string operationId, string key, TimeSpan timeout, ILogger? logger, CancellationToken token)
    {
        var stripe = StripeOf(key);
        return await stripe.WaitAsync(timeout, token).ConfigureAwait(false) ? stripe : null;
    }

    public object? AcquireLock(string cacheName, string cacheInstanceId, string operationId, string key, TimeSpan timeout, ILogger? logger, CancellationToken token)
    {
        var stripe = StripeOf(key);
        return stripe.Wait(timeout, token) ? stripe : null;
    }

    public void ReleaseLock(string cacheName, string cacheInstanceId, string operationId, string key, object? lockObj, ILogger? logger) =>
        (lockObj as SemaphoreSlim)?.Release();

    public void Dispose()
    {
        foreach (var stripe in _stripes)
        {
            stripe.Dispose();
        }
    }
}
