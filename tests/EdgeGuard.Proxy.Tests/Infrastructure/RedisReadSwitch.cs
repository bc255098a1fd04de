using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace EdgeGuard.Proxy.Tests.Infrastructure;

/// <summary>
/// An in-process gateway's Redis L2 (its <see cref="IDistributedCache"/>) whose reads get no answer while
/// <see cref="Failing"/> is set: each fails as StackExchange.Redis fails a read that timed out. Writes, refreshes and
/// removals go through.
/// </summary>
public sealed class RedisReadSwitch
{
    private int _failed;

    public volatile bool Failing;

    /// <summary>How many reads failed.</summary>
    public int FailedReads => Volatile.Read(ref _failed);

    /// <summary>Wraps the gateway's L2 in <paramref name="services"/> (the builder's WithServices hook).</summary>
    public static RedisReadSwitch Install(IServiceCollection services)
    {
        var readSwitch = new RedisReadSwitch();
        var real = services.Single(service => service.ServiceType == typeof(IDistributedCache));
        services.Remove(real);
        services.AddSingleton<IDistributedCache>(provider => new SwitchedCache((IDistributedCache)real.ImplementationFactory!(provider), readSwitch));
        return readSwitch;
    }

    private RedisTimeoutException Fail()
    {
        Interlocked.Increment(ref _failed);
        return new RedisTimeoutException("The test holds this read.", CommandStatus.Sent);
    }

    private sealed class SwitchedCache(IDistributedCache inner, RedisReadSwitch readSwitch) : IDistributedCache
    {
        public byte[]? Get(string key) => readSwitch.Failing ? throw readSwitch.Fail() : inner.Get(key);

        public Task<byte[]?> GetAsync(string key, CancellationToken token = default) =>
            readSwitch.Failing ? Task.FromException<byte[]?>(readSwitch.Fail()) : inner.GetAsync(key, token);

        public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => inner.Set(key, value, options);

        public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) => inner.SetAsync(key, value, options, token);

        public void Refresh(string key) => inner.Refresh(key);

        public Task RefreshAsync(string key, CancellationToken token = default) => inner.RefreshAsync(key, token);

        public void Remove(string key) => inner.Remove(key);

        public Task RemoveAsync(string key, CancellationToken token = default) => inner.RemoveAsync(key, token);
    }
}
