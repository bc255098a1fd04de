using Microsoft.Extensions.Logging;
using ZiggyCreatures.Caching.Fusion.Locking.Distributed;

namespace EdgeGuard.Proxy.Tests.Infrastructure;

/// <summary>
/// The gateway's own distributed lock (one fetch per expiry across instances), with a hook the test runs before each
/// attempt to take it, given the attempt's wait (to hold an attempt at a latch), and one it runs when an attempt has
/// taken it (to learn when a waiting miss got it).
/// </summary>
public sealed class InterceptedLocker(IFusionCacheDistributedLocker inner, Func<TimeSpan, Task>? beforeAcquire, Action<TimeSpan>? acquired) : IFusionCacheDistributedLocker
{
    /// <summary>Wraps the gateway's lock in <paramref name="services"/> (for <see cref="GatewayBuilder.WithServices"/>).</summary>
    public static void Install(IServiceCollection services, Func<TimeSpan, Task>? beforeAcquire = null, Action<TimeSpan>? acquired = null)
    {
        var real = services.Single(service => service.ServiceType == typeof(IFusionCacheDistributedLocker));
        services.Remove(real);
        services.AddSingleton<IFusionCacheDistributedLocker>(provider =>
            new InterceptedLocker((IFusionCacheDistributedLocker)real.ImplementationFactory!(provider), beforeAcquire, acquired));
    }

    public async ValueTask<object?> AcquireLockAsync(string cacheName, string cacheInstanceId, string operationId, string key, string lockName, TimeSpan timeout, ILogger? logger, CancellationToken token)
    {
        if (beforeAcquire is not null)
        {
            await beforeAcquire(timeout);
        }

        var handle = await inner.AcquireLockAsync(cacheName, cacheInstanceId, operationId, key, lockName, timeout, logger, token);
        if (handle is not null)
        {
            acquired?.Invoke(timeout);
        }

        return handle;
    }

    public object? AcquireLock(string cacheName, string cacheInstanceId, string operationId, string key, string lockName, TimeSpan timeout, ILogger? logger, CancellationToken token) =>
        inner.AcquireLock(cacheName, cacheInstanceId, operationId, key, lockName, timeout, logger, token);

    public ValueTask ReleaseLockAsync(string cacheName, string cacheInstanceId, string operationId, string key, string lockName, object? lockObj, ILogger? logger, CancellationToken token) =>
        inner.ReleaseLockAsync(cacheName, cacheInstanceId, operationId, key, lockName, lockObj, logger, token);

    public void ReleaseLock(string cacheName, string cacheInstanceId, string operationId, string key, string lockName, object? lockObj, ILogger? logger, CancellationToken token) =>
        inner.ReleaseLock(cacheName, cacheInstanceId, operationId, key, lockName, lockObj, logger, token);
}
