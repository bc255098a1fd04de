using System.Collections.Concurrent;

namespace EdgeGuard.Proxy.Filtering;

/// <summary>
/// Ids that may exist in the catalog at any moment although the filter may not hold them: writes in flight
/// (the catalog can commit before the gateway hears back) and writes whose outcome is not known yet. Reads of
/// a pending id are forwarded, never rejected by the filter and never answered from the cache.
/// <para>
/// Exact (a count per id, not bits) and bounded: when full, new writes are refused rather than let the set
/// grow without limit. Kept beside the filter, never in it: a write the catalog refuses leaves no trace.
/// </para>
/// </summary>
public sealed class PendingIds(int capacity)
{
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public int Capacity => capacity;

    public int Count => _counts.Count;

    /// <summary>Lock-free; about free while nothing is pending (the common case on the read path).</summary>
    public bool Contains(string id) => !_counts.IsEmpty && _counts.ContainsKey(id);

    /// <summary>Marks <paramref name="id"/> pending once more. False when the set is full (nothing changed).</summary>
    public bool TryAdd(string id)
    {
        lock (_lock)
        {
            if (_counts.TryGetValue(id, out var count))
            {
                _counts[id] = count + 1;
                return true;
            }

            if (_counts.Count >= capacity)
            {
                return false;
            }

            _counts[id] = 1;
            return true;
        }
    }

    /// <summary>Ends one mark of <paramref name="id"/>; it stops being pending when its last mark ends.</summary>
    public void Remove(string id)
    {
        lock (_lock)
        {
            if (!_counts.TryGetValue(id, out var count))
            {
                return;
            }

            if (count <= 1)
            {
                _counts.TryRemove(id, out _);
            }
            else
            {
                _counts[id] = count - 1;
            }
        }
    }

    public IReadOnlyCollection<string> Snapshot() => [.. _counts.Keys];
}
