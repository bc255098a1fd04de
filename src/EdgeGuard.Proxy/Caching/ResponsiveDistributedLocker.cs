using Polly;
using Polly.Retry;
using ZiggyCreatures.Caching.Fusion.Locking.Distributed;

namespace EdgeGuard.Proxy.Caching;

/// <summary>
/// The cache's distributed lock (one fetch per expiry across the cluster), made to give up on a Redis that does
/// not answer within its timeout, and to notice a released lock soon. Waiting for another instance's fetch is
/// worth up to the lock timeout; waiting for a frozen Redis is not. So the first attempt does not wait for a holder
/// and must answer within the Redis timeout: if Redis is silent, the miss fetches without the lock at once; if Redis
/// answered that another instance holds the lock, the wait for it begins. A lock acquired after its caller gave up
/// is released. A first fetch takes the lock only if Redis answered its read with something of the id
/// (<see cref="FirstFetchNote"/>).
/// </summary>
internal sealed class ResponsiveDistributedLocker(IFusionCacheDistributedLocker inner, TimeSpan redisTimeout, TimeProvider time) : IFusionCacheDistributedLocker
{
    /// <summary>How soon a waiter tries the lock again at first. The holder is fetching one product (milliseconds);
    /// the locker's own wait sleeps a random 10–800 ms between attempts, so every reader queued behind a lock held
    /// for 20 ms could wait most of a second.</summary>
    internal static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(10);

    /// <summary>The longest a waiter sleeps between attempts: a fetch that takes long (a slow catalog) is waited for
    /// at ten attempts a second, not a hundred, for each id one instance waits on.</summary>
    internal static readonly TimeSpan MaxRetry = TimeSpan.FromMilliseconds(100);

    private readonly ResiliencePipeline<object?> _wait = new ResiliencePipelineBuilder<object?> { TimeProvider = time }
        .AddRetry(new RetryStrategyOptions<object?>
        {
            // Held by another instance: try again. A failing Redis is not retried: the miss goes on without the lock.
            ShouldHandle = args => ValueTask.FromResult(args.Outcome is { Exception: null, Result: null }),
            MaxRetryAttempts = int.MaxValue,
            BackoffType = DelayBackoffType.Exponential,
            Delay = FirstRetry,
            MaxDelay = MaxRetry,
        })
        .Build();

    public async ValueTask<object?> AcquireLockAsync(string cacheName, string cacheInstanceId, string operationId, string key, string lockName, TimeSpan timeout, ILogger? logger, CancellationToken token)
    {
        if (FirstFetchNote.InThisFlow is { TakesLock: false })
        {
            return null; // FusionCache goes on to the fetch without the lock, as after a lock timeout
        }

        var first = inner.AcquireLockAsync(cacheName, cacheInstanceId, operationId, key, lockName, TimeSpan.Zero, logger, token).AsTask();
        if (await Task.WhenAny(first, Task.Delay(redisTimeout, time, token)).ConfigureAwait(false) != first)
        {
            _ = ReleaseIfAcquiredLateAsync(first, cacheName, cacheInstanceId, operationId, key, lockName, logger);
            return null;
        }

        var handle = await first.ConfigureAwait(false);
        if (handle is not null || timeout <= TimeSpan.Zero)
        {
            return handle;
        }

        // The wait ends between attempts, never during one: an attempt cut short could leave a lock nobody releases.
        using var waited = CancellationTokenSource.CreateLinkedTokenSource(token);
        waited.CancelAfter(timeout);
        try
        {
            return await _wait.ExecuteAsync(
                static async (attempt, _) => await attempt.inner.AcquireLockAsync(attempt.cacheName, attempt.cacheInstanceId, attempt.operationId, attempt.key, attempt.lockName, TimeSpan.Zero, attempt.logger, attempt.token).ConfigureAwait(false),
                (inner, cacheName, cacheInstanceId, operationId, key, lockName, logger, token), waited.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (waited.IsCancellationRequested && !token.IsCancellationRequested)
        {
            return null; // the lock timeout: the miss goes on without the lock, as FusionCache does
        }
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
