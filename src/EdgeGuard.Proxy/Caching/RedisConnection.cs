using EdgeGuard.Proxy.Configuration;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace EdgeGuard.Proxy.Caching;

/// <summary>
/// The one connection to Redis (<c>REDIS_URL</c>) that the cache, its backplane, its locks and the cluster's
/// log share. Commands fail fast while disconnected and time out after <c>RedisTimeout</c>, so a Redis that
/// is gone or frozen costs a request at most that long; it reconnects by itself.
/// </summary>
public sealed class RedisConnection : IAsyncDisposable
{
    private readonly Lazy<ConnectionMultiplexer> _multiplexer;

    public RedisConnection(CacheLocation location, IOptions<EdgeGuardOptions> options)
    {
        IsConfigured = !location.IsEmbedded;
        if (location.Redis is null)
        {
            _multiplexer = new Lazy<ConnectionMultiplexer>(() => throw new InvalidOperationException("REDIS_URL names no Redis: the cache is embedded."));
            return;
        }

        var cache = options.Value.Cache;
        var config = location.Redis.Clone();
        config.AbortOnConnectFail = false;
        config.ConnectTimeout = (int)cache.RedisConnectTimeout.TotalMilliseconds;
        config.AsyncTimeout = Math.Max(1, (int)cache.RedisTimeout.TotalMilliseconds);
        config.SyncTimeout = config.AsyncTimeout;
        config.BacklogPolicy = BacklogPolicy.FailFast;
        config.ReconnectRetryPolicy = new LinearRetry(500);
        config.ClientName ??= "edgeguard";
        _multiplexer = new Lazy<ConnectionMultiplexer>(() => ConnectionMultiplexer.Connect(config));
    }

    /// <summary>True when <c>REDIS_URL</c> names a Redis (the instance is then part of a cluster).</summary>
    public bool IsConfigured { get; }

    public IConnectionMultiplexer Multiplexer => _multiplexer.Value;

    public bool IsConnected => _multiplexer.IsValueCreated && _multiplexer.Value.IsConnected;

    public Task<IConnectionMultiplexer> ConnectAsync() => Task.FromResult<IConnectionMultiplexer>(_multiplexer.Value);

    public async ValueTask DisposeAsync()
    {
        if (_multiplexer.IsValueCreated)
        {
            await _multiplexer.Value.DisposeAsync().ConfigureAwait(false);
        }
    }
}
