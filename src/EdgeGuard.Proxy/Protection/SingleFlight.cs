using System.Collections.Concurrent;

namespace EdgeGuard.Proxy.Protection;

/// <summary>
/// Collapses concurrent misses for one key into one upstream request: the first caller leads and the
/// others wait for its result. The flight is removed before its result is published, so a caller that
/// arrives later starts afresh (and by then normally finds the cache filled).
/// <para>
/// A caller that missed the cache just before a flight for its key ended would start a second fetch.
/// <see cref="EndingsSeen"/>, read before the cache lookup, and <see cref="EndedSince"/>, asked on
/// becoming a leader, tell it whether it must look in the cache again: flight endings are
/// <see cref="StripedCounters"/>, so the answer is "yes" for any ending of this key (and, rarely, of another
/// key in the same stripe), and a leader with nothing to catch up on saves the second lookup (a Redis round trip).
/// </para>
/// </summary>
public sealed class SingleFlight<TResult> where TResult : class
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<TResult?>> _flights = new(StringComparer.Ordinal);
    private readonly StripedCounters _endings = new();

    /// <summary>A mark to take before looking in the cache for <paramref name="key"/>.</summary>
    public long EndingsSeen(string key) => _endings.Read(key);

    /// <summary>True when a flight for <paramref name="key"/> (or a key sharing its stripe) ended after <paramref name="endingsSeen"/> was taken.</summary>
    public bool EndedSince(string key, long endingsSeen) => _endings.Read(key) != endingsSeen;

    /// <summary>Joins the flight for <paramref name="key"/>, or starts one: true when the caller leads it.</summary>
    public bool Join(string key, out TaskCompletionSource<TResult?> flight)
    {
        var mine = new TaskCompletionSource<TResult?>(TaskCreationOptions.RunContinuationsAsynchronously);
        flight = _flights.GetOrAdd(key, mine);
        return ReferenceEquals(flight, mine);
    }

    /// <summary>Ends a flight the caller leads. A null result tells the followers to fetch for themselves.</summary>
    public void Complete(string key, TaskCompletionSource<TResult?> flight, TResult? result)
    {
        // Counted before the flight is removed: whoever finds it gone also finds the count moved on.
        _endings.Increment(key);
        _flights.TryRemove(KeyValuePair.Create(key, flight));
        flight.TrySetResult(result);
    }

    public int InFlight => _flights.Count;
}
