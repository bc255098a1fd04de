using EdgeGuard.Proxy.Configuration;
using StackExchange.Redis;

namespace EdgeGuard.Proxy.Caching;

/// <summary>
/// The one connection to Redis (<c>REDIS_URL</c>) that the cache, its backplane, its locks and the cluster's
/// log share. Commands fail fast while disconnected and time out after <c>RedisTimeout</c>, as the client finds them
/// overdue on its heartbeat (once a second), so up to a second later; the cache's reads and lock attempts are cut at
/// <c>RedisTimeout</c> by timers of their own, so a Redis that is gone or frozen costs a request about that long. It
/// reconnects by itself. It connects asynchronously: a
/// synchronous connect blocks a thread-pool thread while the connection it waits for needs one, and at start-up on
/// a few cores (every service starting at once) it can fail for its whole connect timeout. Through Sentinels (<c>redis-sentinel://</c>) StackExchange.Redis finds
/// the primary and follows its failovers by itself once connected, but its first connect is synchronous and throws
/// when no Sentinel names a reachable primary: that one runs on a thread of its own and is retried until it succeeds.
/// </summary>
public sealed class RedisConnection : IAsyncDisposable
{
    private static readonly TimeSpan SentinelRetryDelay = TimeSpan.FromMilliseconds(500);

    private readonly Lazy<Task<IConnectionMultiplexer>> _multiplexer;
    private readonly CancellationTokenSource _disposing = new();

    public RedisConnection(CacheLocation location, IOptions<EdgeGuardOptions> options)
    {
        IsConfigured = !location.IsEmbedded;
        if (location.Redis is null)
        {
            _multiplexer = new Lazy<Task<IConnectionMultiplexer>>(() => throw new InvalidOperationException("REDIS_URL names no Redis: the cache is embedded."));
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
        _multiplexer = new Lazy<Task<IConnectionMultiplexer>>(config.ServiceName is null
            ? async () => await ConnectionMultiplexer.ConnectAsync(config).ConfigureAwait(false)
            : () => ConnectThroughSentinelsAsync(config, _disposing.Token));
    }

    /// <summary>True when <c>REDIS_URL</c> names a Redis (the instance is then part of a cluster).</summary>
    public bool IsConfigured { get; }

    public bool IsConnected => _multiplexer.IsValueCreated && _multiplexer.Value.IsCompletedSuccessfully && _multiplexer.Value.Result.IsConnected;

    /// <summary>The connection, once made (the first call starts it; a Redis that is not there yet is retried in the background).</summary>
    public Task<IConnectionMultiplexer> ConnectAsync() => _multiplexer.Value;

    public async ValueTask DisposeAsync()
    {
        await _disposing.CancelAsync().ConfigureAwait(false);
        if (_multiplexer.IsValueCreated)
        {
            try
            {
                await (await _multiplexer.Value.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is RedisConnectionException or OperationCanceledException)
            {
                // Never connected: nothing to close.
            }
        }

        _disposing.Dispose();
    }

    private static async Task<IConnectionMultiplexer> ConnectThroughSentinelsAsync(ConfigurationOptions config, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return await Task.Factory.StartNew<IConnectionMultiplexer>(() => ConnectionMultiplexer.Connect(config), cancellationToken,
                    TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
            }
            catch (RedisConnectionException) when (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(SentinelRetryDelay, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
