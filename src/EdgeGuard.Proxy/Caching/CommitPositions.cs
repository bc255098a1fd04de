using System.Collections.Concurrent;

namespace EdgeGuard.Proxy.Caching;

/// <summary>
/// Tells a cached answer fetched before a write from one fetched after it. Every committed write gets a
/// position in the write log (a local counter standalone, the Redis stream's entry id in a cluster); every
/// fetch records <see cref="Applied"/> when it starts, and a cached answer is only served while
/// <see cref="IsCurrent"/>: fetched at or after the last commit of its id. A read that fetched "404" just
/// before a product was created can then never serve or leave that 404 anywhere it could be read after the
/// create's 2xx, whatever order the store and the commit happen in.
/// <para>
/// The last <c>recentCommits</c> commits (<see cref="DefaultRecentCommits"/> unless given) are remembered by id, exactly. Older ones are kept per stripe
/// of ids in a fixed array (bounded memory): an answer fetched before the oldest commit remembered is judged by its
/// stripe, where ids sharing a stripe cost an occasional extra fetch. Stripes alone are not enough: every commit
/// would make the cached answers of unrelated ids in its stripe look older than a write, so they would be dropped
/// from every instance and fetched again, and while the catalog is down that fetch fails with a 5xx where the
/// answer could have been served stale.
/// Positions are longs (a stream id packed as milliseconds and sequence).
/// </para>
/// </summary>
public sealed class CommitPositions(int recentCommits = CommitPositions.DefaultRecentCommits)
{
    /// <summary>How many of the latest commits are remembered by id unless the constructor says otherwise.</summary>
    public const int DefaultRecentCommits = 65_536;
    private const int StripeCount = 4096;

    private readonly long[] _stripes = new long[StripeCount];
    private readonly ConcurrentDictionary<string, long> _recent = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<KeyValuePair<string, long>> _recentOrder = new();
    private readonly Lock _forgetting = new();
    private long _applied;

    // Every commit at or after this position is in _recent.
    private long _rememberedFrom;

    /// <summary>The position of the last write applied here; a fetch records it when it starts.</summary>
    public long Applied => Volatile.Read(ref _applied);

    /// <summary>True when an answer for <paramref name="id"/> fetched at <paramref name="fetchedAt"/> is not older than the id's last committed write.</summary>
    public bool IsCurrent(string id, long fetchedAt)
    {
        if (fetchedAt >= Volatile.Read(ref _stripes[Stripe(id)]))
        {
            return true;
        }

        // Something in the id's stripe was committed after the fetch: the id itself, if the commits since are remembered.
        return fetchedAt >= Volatile.Read(ref _rememberedFrom) && (!_recent.TryGetValue(id, out var committed) || fetchedAt >= committed);
    }

    /// <summary>Records a write of <paramref name="id"/> committed at <paramref name="position"/>.</summary>
    public void Committed(string id, long position)
    {
        // Remembered before the stripe moves: a reader that sees the stripe raised finds the id here.
        _recent.AddOrUpdate(id, position, (_, earlier) => Math.Max(earlier, position));
        _recentOrder.Enqueue(new KeyValuePair<string, long>(id, position));
        RaiseTo(ref _stripes[Stripe(id)], position);
        RaiseTo(ref _applied, position);
        ForgetOldest();
    }

    /// <summary>The cluster's log was applied up to <paramref name="position"/>: fetches from now on record it.</summary>
    public void AdvanceTo(long position) => RaiseTo(ref _applied, position);

    /// <summary>The next local position (standalone: there is no shared log to number commits).</summary>
    public long Next() => Interlocked.Increment(ref _applied);

    /// <summary>Marks everything fetched before <paramref name="position"/> as possibly older than a write this
    /// instance never saw (it joined a cluster whose log no longer reaches back that far).</summary>
    public void DistrustBefore(long position)
    {
        for (var i = 0; i < _stripes.Length; i++)
        {
            RaiseTo(ref _stripes[i], position);
        }

        RaiseTo(ref _rememberedFrom, position);
        RaiseTo(ref _applied, position);
    }

    /// <summary>Beyond the last <c>recentCommits</c>, the oldest commit is forgotten by id (its stripe keeps it).</summary>
    private void ForgetOldest()
    {
        lock (_forgetting)
        {
            while (_recentOrder.Count > recentCommits && _recentOrder.TryDequeue(out var oldest))
            {
                // From now on a fetch before this commit is judged by its stripe.
                RaiseTo(ref _rememberedFrom, oldest.Value + 1);
                _recent.TryRemove(oldest); // only if no later commit of the id replaced it
            }
        }
    }

    private static void RaiseTo(ref long target, long value)
    {
        var current = Volatile.Read(ref target);
        while (current < value)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    // Per-process randomized hashing is fine: the stripes never leave the process.
    private static int Stripe(string id) => id.GetHashCode() & (StripeCount - 1);
}
