using System.Collections.Concurrent;
using EdgeGuard.Proxy.Configuration;
using EdgeGuard.Proxy.Observability;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;
using StackExchange.Redis;

namespace EdgeGuard.Proxy.Caching;

/// <summary>
/// The cache in Redis, through one shared <see cref="ConnectionMultiplexer"/>. Every call runs through a
/// Polly pipeline (a circuit breaker around a short timeout): while Redis is slow or gone, requests skip
/// the cache and go upstream, and once the breaker's probe succeeds Redis is used again, without a restart.
/// </summary>
public sealed class RedisProductCacheStore : IProductCacheStore, IAsyncDisposable
{
    /// <summary>Invalidations kept for retry at most; past this an outage can leave stale entries until their TTL.</summary>
    private const int MaxPendingInvalidations = 100_000;

    private readonly ConnectionMultiplexer _connection;
    private readonly ResiliencePipeline _pipeline;
    private readonly ILogger<RedisProductCacheStore> _logger;

    // Removals that failed during an outage. Until each one succeeds, the id's entry is not trusted (a
    // negative entry left behind would hide a product just created), and each is retried on the next read
    // of its id and when the circuit closes.
    private readonly ConcurrentDictionary<string, byte> _pendingInvalidations = new(StringComparer.Ordinal);
    private volatile bool _circuitOpen;

    public RedisProductCacheStore(CacheLocation location, IOptions<EdgeGuardOptions> options, TimeProvider time, ILogger<RedisProductCacheStore> logger)
    {
        _logger = logger;
        var cache = options.Value.Cache;
        var config = location.Redis?.Clone() ?? throw new ArgumentException("Not a Redis location.", nameof(location));
        config.AbortOnConnectFail = false;
        config.ConnectTimeout = (int)cache.RedisConnectTimeout.TotalMilliseconds;
        config.AsyncTimeout = Math.Max(1, (int)cache.RedisTimeout.TotalMilliseconds);
        config.SyncTimeout = config.AsyncTimeout;
        // While disconnected, fail at once rather than queue commands until the timeout.
        config.BacklogPolicy = BacklogPolicy.FailFast;
        config.ReconnectRetryPolicy = new LinearRetry(500);
        _connection = ConnectionMultiplexer.Connect(config);

        _pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = 0.5,
                MinimumThroughput = 4,
                SamplingDuration = TimeSpan.FromSeconds(5),
                BreakDuration = cache.RedisBreakDuration,
                ShouldHandle = new PredicateBuilder().Handle<RedisException>().Handle<TimeoutRejectedException>().Handle<TimeoutException>(),
                OnOpened = args =>
                {
                    _circuitOpen = true;
                    Log.CacheCircuitOpened(_logger, args.BreakDuration.TotalSeconds, args.Outcome.Exception);
                    return default;
                },
                OnHalfOpened = _ =>
                {
                    Log.CacheCircuitHalfOpened(_logger);
                    return default;
                },
                OnClosed = args =>
                {
                    _circuitOpen = false;
                    Log.CacheCircuitClosed(_logger);
                    _ = RetryPendingInvalidationsAsync();
                    return default;
                },
            })
            .AddTimeout(cache.RedisTimeout)
            .Build();
    }

    public async ValueTask<string?> CheckDegradationAsync(CancellationToken cancellationToken)
    {
        if (_circuitOpen && _connection.IsConnected)
        {
            // Polly half-opens a circuit only when a call comes through it: without product traffic a
            // recovered Redis would stay "degraded". The readiness probe sends that call.
            await RunAsync(async ct =>
            {
                await Database.PingAsync().WaitAsync(ct).ConfigureAwait(false);
                return true;
            }, false, cancellationToken).ConfigureAwait(false);
        }

        return _circuitOpen ? "Redis circuit is open: requests skip the cache." :
            !_connection.IsConnected ? "Redis is not connected." : null;
    }

    public async ValueTask<CacheEntry?> GetAsync(string id, CancellationToken cancellationToken)
    {
        if (!_pendingInvalidations.IsEmpty && _pendingInvalidations.ContainsKey(id))
        {
            await TryRemoveAsync(id, cancellationToken).ConfigureAwait(false);
            return null;
        }

        var key = (RedisKey)CacheKeys.Product(id);
        var value = await RunAsync(ct => Database.StringGetAsync(key).WaitAsync(ct), RedisValue.Null, cancellationToken).ConfigureAwait(false);
        return value.IsNull ? null : CacheEntry.Deserialize((ReadOnlyMemory<byte>)value);
    }

    public async ValueTask SetAsync(string id, CacheEntry entry, TimeSpan timeToLive, CancellationToken cancellationToken)
    {
        var key = (RedisKey)CacheKeys.Product(id);
        var value = (RedisValue)entry.Serialize();
        // SET key value PX ttl: value and expiry in one command.
        await RunAsync(ct => Database.StringSetAsync(key, value, timeToLive).WaitAsync(ct), false, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask RemoveAsync(string id, CancellationToken cancellationToken)
    {
        if (!await TryRemoveAsync(id, cancellationToken).ConfigureAwait(false))
        {
            if (_pendingInvalidations.Count < MaxPendingInvalidations)
            {
                _pendingInvalidations.TryAdd(id, 0);
            }
            else
            {
                Log.PendingInvalidationsFull(_logger, id);
            }
        }
    }

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync().ConfigureAwait(false);

    private IDatabase Database => _connection.GetDatabase();

    private async ValueTask<bool> TryRemoveAsync(string id, CancellationToken cancellationToken)
    {
        var key = (RedisKey)CacheKeys.Product(id);
        var removed = await RunAsync(async ct =>
        {
            await Database.KeyDeleteAsync(key).WaitAsync(ct).ConfigureAwait(false);
            return true;
        }, false, cancellationToken).ConfigureAwait(false);
        if (removed)
        {
            _pendingInvalidations.TryRemove(id, out _);
        }

        return removed;
    }

    private async Task RetryPendingInvalidationsAsync()
    {
        foreach (var id in _pendingInvalidations.Keys)
        {
            if (!await TryRemoveAsync(id, CancellationToken.None).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    /// <summary>Runs a Redis call through the pipeline; an outage yields <paramref name="fallback"/>.</summary>
    private async ValueTask<T> RunAsync<T>(Func<CancellationToken, Task<T>> call, T fallback, CancellationToken cancellationToken)
    {
        try
        {
            return await _pipeline.ExecuteAsync(async ct => await call(ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisException or TimeoutException or BrokenCircuitException or TimeoutRejectedException)
        {
            Log.CacheCallFailed(_logger, e.GetType().Name, e.Message);
            return fallback;
        }
    }
}
