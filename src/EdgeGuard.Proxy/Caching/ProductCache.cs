using Microsoft.Extensions.Caching.Memory;
using ZiggyCreatures.Caching.Fusion;

namespace EdgeGuard.Proxy.Caching;

/// <summary>
/// The product cache, on FusionCache: an in-process L1 (bounded), and with Redis an L2 under the contract's
/// key <c>cache:product:{id}</c>, a backplane that keeps every instance's L1 coherent, and a distributed lock
/// so one expiry costs one catalog request across the cluster. A first fetch, of an id this instance's memory holds
/// nothing of and Redis answered nothing of (or did not answer in time), takes no lock (see <see cref="FirstFetchNote"/>). FusionCache also does the
/// single flight per id, fail-safe (stale-if-error), soft/hard fetch timeouts and eager refresh;
/// <see cref="ProductCacheRules"/> decide what is stored and for how long, <see cref="CachePolicy"/> how FusionCache
/// keeps it. It owns the FusionCache, its memory and its memory locker: disposing it (with the host) stops
/// FusionCache's background work, such as auto-recovery retrying a Redis that is gone.
/// </summary>
public sealed class ProductCache : IDisposable
{
    private static readonly FusionCacheEntryOptions LocalOnly = new() { SkipDistributedCacheRead = true, SkipDistributedCacheWrite = true, SkipBackplaneNotifications = true };

    private readonly IFusionCache _cache;
    private readonly IMemoryCache? _memory;
    private readonly IDisposable[] _owned;
    private readonly bool _distributed;
    private readonly RedisCacheHealth? _redis;

    // A miss while Redis fails takes no distributed lock: FusionCache's circuit breaker spares Redis as L2, not its
    // locker, and a lock on a frozen Redis would hold every miss up to its timeout.
    private readonly FusionCacheEntryOptions? _withoutDistributedLock;

    // What another instance stored, read past this instance's memory (see ReadSharedAsync).
    private readonly SharedEntryReader? _shared;

    /// <param name="owned">What FusionCache was given and leaves to its owner (its memory cache, its memory locker).</param>
    public ProductCache(IFusionCache cache, IDisposable[] owned)
    {
        _cache = cache;
        _owned = owned;
    }

    /// <param name="memory">FusionCache's memory level: whether this instance holds anything of an id.</param>
    internal ProductCache(IFusionCache cache, IMemoryCache memory, IDisposable[] owned, RedisCacheHealth redis, SharedEntryReader shared)
    {
        _cache = cache;
        _memory = memory;
        _owned = owned;
        _distributed = true;
        _redis = redis;
        _withoutDistributedLock = _cache.DefaultEntryOptions.Duplicate();
        _withoutDistributedLock.SkipDistributedLocker = true;
        _shared = shared;
    }

    public IFusionCache Fusion => _cache;

    /// <summary>True with Redis as L2.</summary>
    public bool IsDistributed => _distributed;

    /// <summary>Null while healthy; otherwise why the cache is degraded (Redis unreachable, its circuit open).</summary>
    public string? Degradation => _redis?.Degradation;

    /// <summary>True while FusionCache's circuit around Redis is open (requests skip Redis); never with the embedded cache.</summary>
    public bool CircuitOpen => _redis is { CircuitOpen: true };

    /// <summary>The entry for <paramref name="id"/>; on a miss <paramref name="fill"/> runs once for every caller waiting for it.</summary>
    public ValueTask<CacheEntry> GetOrFillAsync(string id, Func<FusionCacheFactoryExecutionContext<CacheEntry>, CancellationToken, Task<CacheEntry>> fill)
    {
        var key = Key(id);
        if (_memory is null)
        {
            return Fill(key, fill, null); // embedded: no lock to take
        }

        if (CircuitOpen)
        {
            return Fill(key, fill, _withoutDistributedLock);
        }

        return _memory.TryGetValue(key, out _) ? Fill(key, fill, null) : FirstFetchAsync(key, fill);
    }

    // Not tied to one caller's request: a fill is shared, and its client leaving must not cancel it for the others.
    private ValueTask<CacheEntry> Fill(string key, Func<FusionCacheFactoryExecutionContext<CacheEntry>, CancellationToken, Task<CacheEntry>> fill, FusionCacheEntryOptions? options) =>
        _cache.GetOrSetAsync<CacheEntry>(key, fill, default, options, null, CancellationToken.None);

    /// <summary>A fill of an id this instance holds nothing of, with its note: an async method, so the note is this
    /// fill's alone and ends with it.</summary>
    private async ValueTask<CacheEntry> FirstFetchAsync(string key, Func<FusionCacheFactoryExecutionContext<CacheEntry>, CancellationToken, Task<CacheEntry>> fill)
    {
        FirstFetchNote.Begin();
        return await Fill(key, fill, null).ConfigureAwait(false);
    }

    /// <summary>
    /// Keeps a first fetch's answer off the backplane when Redis answered that it holds nothing of the id. Another
    /// instance holds the id in memory only if Redis holds it too (both keep an entry for fail-safe as long), if it
    /// is fetching it for the first time itself, or if Redis lost the key (a restart, an eviction): each keeps the
    /// answer it holds, fresh for its own lifetime. The message would make every other instance look the id up,
    /// nearly always for nothing. A negative entry is still announced: in the last case another instance may hold a
    /// 404 for an id the catalog now has, and the message ends it. Redis is written as ever, and writes of the id
    /// reach every instance their own way (see <c>ProductWriteMiddleware</c>).
    /// </summary>
    public static void QuietFirstFetch(CacheEntry entry, FusionCacheEntryOptions options)
    {
        if (entry.Kind == CacheEntryKind.Answer && FirstFetchNote.InThisFlow is { NothingHeld: true })
        {
            options.SkipBackplaneNotifications = true;
        }
    }

    /// <summary>The entry for <paramref name="id"/> if one is fresh, without filling it (HEAD).</summary>
    public async ValueTask<CacheEntry?> PeekAsync(string id) =>
        await _cache.TryGetAsync<CacheEntry>(Key(id)).ConfigureAwait(false) is { HasValue: true } found ? found.Value : null;

    /// <summary>
    /// What Redis holds for <paramref name="id"/> now, read past this instance's memory and not kept in it (see
    /// <see cref="SharedEntryReader"/>); nothing with the embedded cache, no answer while the Redis circuit is open.
    /// </summary>
    public ValueTask<SharedRead> ReadSharedAsync(string id) =>
        CircuitOpen ? ValueTask.FromResult(SharedRead.NoAnswer) : ReadSharedPastCircuitAsync(id);

    /// <summary>
    /// What Redis holds for <paramref name="id"/> now, read even while the circuit is open (see <see cref="SharedEntryReader"/>):
    /// for a fill whose catalog failed with nothing to fall back on, where a 5xx is the alternative.
    /// </summary>
    public ValueTask<SharedRead> ReadSharedPastCircuitAsync(string id) =>
        _shared is null ? ValueTask.FromResult(SharedRead.None) : _shared.ReadAsync(Key(id), CancellationToken.None);

    /// <summary>Removes the entry everywhere: this L1, Redis, and every other instance's L1 (backplane).</summary>
    public ValueTask RemoveAsync(string id) => _cache.RemoveAsync(Key(id));

    /// <summary>Removes the entry from this instance's L1 only (another instance already removed it elsewhere).</summary>
    public ValueTask EvictLocalAsync(string id) => _cache.RemoveAsync(Key(id), LocalOnly);

    /// <summary>The embedded cache keys on the id itself (no string built per lookup); Redis holds the contract's key.</summary>
    private string Key(string id) => _distributed ? CacheKeys.Product(id) : id;

    public void Dispose()
    {
        _cache.Dispose();
        foreach (var part in _owned)
        {
            part.Dispose();
        }
    }
}
