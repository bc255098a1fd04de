using ZiggyCreatures.Caching.Fusion.Locking.Distributed;

namespace EdgeGuard.Proxy.Caching;

/// <summary>
/// The cache's distributed lock (one fetch per expiry across the cluster), made to give up on a Redis that does
/// not answer within its timeout. Waiting for another instance's fetch is worth up to the lock timeout; waiting
/// for a frozen Redis is not. So the first attempt does not wait for a holder and must answer within the Redis
/// timeout: if Redis is silent, the miss fetches without the lock at once; if Redis answered that another
/// instance holds the lock, the wait for it begins. A lock acquired after its caller gave up is released.
/// </summary>
internal sealed class ResponsiveDistributedLocker(IFusionCacheDistributedLocker inner, TimeSpan redisTimeout, TimeProvider time) : IFusionCacheDistributedLocker
{
    public async ValueTask<object?> AcquireLockAsync(string cacheName, string cacheInstanceId, string operationId, string key, string lockName, TimeSpan timeout, ILogger? logger, CancellationToken token)
    {
        var first = inner.AcquireLockAsync(cacheName, cacheInstanceId, operationId, key, lockName, TimeSpan.Zero, logger, token).AsTask();
        if (await Task.WhenAny(first, Task.Delay(redisTimeout, time, token)).ConfigureAwait(false) != first)
        {
            _ = ReleaseIfAcquiredLateAsync(first, cacheName, cacheInstanceId, operationId, key, lockName, logger);
            return null;
        }

        var handle = await first.ConfigureAwait(false);
        return handle is not null || timeout <= TimeSpan.Zero
            ? handle
            : await inner.AcquireLockAsync(cacheName, cacheInstanceId, operationId, key, lockName, timeout, logger, token).ConfigureAwait(false);
    }

    public object? AcquireLock(string cacheName, string cacheInstanceId, string operationId, string key, string lockName, TimeSpan timeout, ILogger? logger, CancellationToken token) =>
        AcquireLockAsync(cacheName, cacheInstanceId, operationId, key, lockName, timeout, logger, token).AsTask().GetAwaiter().GetResult();

    public ValueTask ReleaseLockAsync(string cacheName, string cacheInstanceId, string operationId, string key, string lockName, object? lockObj, ILogger? logger, CancellationToken token) =>
        inner.ReleaseLockAsync(cacheName, cacheInstanceId, operationId, key, lockName, lockObj, logger, token);

    public void ReleaseLock(string cacheName, string cacheInstanceId, string operationId, string key, string lockName, object? lockObj, ILogger? logger, CancellationToken token) =>
        inner.ReleaseLock(cacheName, cacheInstanceId, operationId, key, lockName, lockObj, logger, token);

    private async Task ReleaseIfAcquiredLateAsync(Task<object?> attempt, string cacheName, string cacheInstanceId, string operationId, string key, string lockName, ILogger? logger)
    {
        try
        {
            if (await attempt.ConfigureAwait(false) is { } late)
            {
                await inner.ReleaseLockAsync(cacheName, cacheInstanceId, operationId, key, lockName, late, logger, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception)
        {
            // Redis failed the attempt: there is no lock to release.
        }
    }
}
