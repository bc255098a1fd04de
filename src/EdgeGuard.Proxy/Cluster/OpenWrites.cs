using System.Collections.Concurrent;
using EdgeGuard.Proxy.Filtering;

namespace EdgeGuard.Proxy.Cluster;

/// <summary>A write begun and not yet ended (in the stream, or when a snapshot was taken: still pending for whoever loads it).</summary>
public sealed record OpenWrite(string WriteId, string Id, long Deadline);

/// <summary>
/// The writes begun in the cluster and not yet ended, as the stream says: the one owner of this member's pending
/// writes. Each one's id is pending in the filter (<see cref="ProductFilter.Pending"/>: reads of it are forwarded,
/// never rejected, never answered from a cache) until its end is applied. When the pending set is full the member
/// stops trusting its filter (<see cref="ClusterTrust"/>) until half of it is free again. The leader settles those
/// past their deadline (their writer died), one settling each.
/// </summary>
public sealed class OpenWrites(ProductFilter filter, ClusterTrust trust)
{
    private readonly ConcurrentDictionary<string, OpenWrite> _open = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _settling = new(StringComparer.Ordinal);

    public IReadOnlyCollection<OpenWrite> All => [.. _open.Values];

    public void Open(OpenWrite write)
    {
        if (_open.TryAdd(write.WriteId, write) && !filter.Pending.TryAdd(write.Id))
        {
            trust.PendingOverflowed();
        }
    }

    public void End(string? writeId)
    {
        if (writeId is null || !_open.TryRemove(writeId, out var open))
        {
            return;
        }

        filter.Pending.Remove(open.Id);
        if (trust.HasPendingOverflow && _open.Count < filter.Pending.Capacity / 2)
        {
            trust.PendingDrained();
            foreach (var write in _open.Values)
            {
                filter.Pending.TryAdd(write.Id);
            }
        }
    }

    /// <summary>True for the first caller to settle <paramref name="writeId"/>; it calls <see cref="Settled"/> once its end is told.</summary>
    public bool TryStartSettling(string writeId) => _settling.TryAdd(writeId, 0);

    public void Settled(string writeId) => _settling.TryRemove(writeId, out _);
}
