using System.Collections.Concurrent;
using ZiggyCreatures.Caching.Fusion.Locking;

namespace EdgeGuard.Proxy.Caching;

/// <summary>
/// The lock FusionCache takes in this instance around a miss, so concurrent misses for one id make one fetch.
/// FusionCache's standard locker keeps a semaphore per key in a memory cache of its own, with no bound and a 5-minute
/// sliding expiry: every distinct id a miss ever touched keeps a semaphore, a cache entry and an eviction callback for
/// 5 minutes, and a sweep of distinct ids grows memory with its rate.
/// Here an id has a gate only while a miss holds it or waits for it; the last one out removes it.
/// <para>
/// Not a fixed set of semaphores shared by hash: FusionCache keeps the lock for as long as a fetch it let finish in the
/// background runs (after a soft timeout, up to the catalog's timeout), so during a catalog hang a shared semaphore
/// held that way made misses for unrelated ids wait for it, where they should have had their own fast 503.
/// </para>
/// </summary>
public sealed class KeyedMemoryLocker : IFusionCacheMemoryLocker
{
    private readonly ConcurrentDictionary<string, Gate> _gates = new(StringComparer.Ordinal);

    /// <summary>Ids a miss holds or waits for now.</summary>
    internal int Gates => _gates.Count;

    public async ValueTask<object?> AcquireLockAsync(string cacheName, string cacheInstanceId, string operationId, string key, TimeSpan timeout, ILogger? logger, CancellationToken token)
    {
        var gate = Enter(key);
        var acquired = false;
        try
        {
            acquired = await gate.Semaphore.WaitAsync(timeout, token).ConfigureAwait(false);
            return acquired ? gate : null;
        }
        finally
        {
            if (!acquired)
            {
                Leave(gate);
            }
        }
    }

    public object? AcquireLock(string cacheName, string cacheInstanceId, string operationId, string key, TimeSpan timeout, ILogger? logger, CancellationToken token)
    {
        var gate = Enter(key);
        var acquired = false;
        try
        {
            acquired = gate.Semaphore.Wait(timeout, token);
            return acquired ? gate : null;
        }
        finally
        {
            if (!acquired)
            {
                Leave(gate);
            }
        }
    }

    public void ReleaseLock(string cacheName, string cacheInstanceId, string operationId, string key, object? lockObj, ILogger? logger)
    {
        if (lockObj is Gate gate)
        {
            gate.Semaphore.Release();
            Leave(gate);
        }
    }

    public void Dispose()
    {
    }

    /// <summary>The id's gate, counted as used until <see cref="Leave"/>.</summary>
    private Gate Enter(string key)
    {
        while (true)
        {
            var gate = _gates.GetOrAdd(key, static id => new Gate(id));
            lock (gate)
            {
                if (gate.Users >= 0)
                {
                    gate.Users++;
                    return gate;
                }
            }

            // Retired by its last user between the lookup and here (and already removed): take a new one.
        }
    }

    private void Leave(Gate gate)
    {
        lock (gate)
        {
            if (--gate.Users > 0)
            {
                return;
            }

            gate.Users = -1; // retired: whoever found it meanwhile looks again
            _gates.TryRemove(new KeyValuePair<string, Gate>(gate.Key, gate));
        }
    }

    private sealed class Gate(string key)
    {
        public string Key { get; } = key;

        public SemaphoreSlim Semaphore { get; } = new(1, 1);

        /// <summary>Misses holding or waiting for it; -1 once retired.</summary>
        public int Users { get; set; }
    }
}
