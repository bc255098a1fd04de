using System.Collections.Concurrent;

namespace EdgeGuard.Proxy.Protection;

/// <summary>
/// Collapses concurrent misses for one key into one upstream request: the first caller leads and the
/// others wait for its result. The flight is removed before its result is published, so a caller that
/// arrives later starts afresh (and by then normally finds the cache filled).
/// </summary>
public sealed class SingleFlight<TResult> where TResult : class
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<TResult?>> _flights = new(StringComparer.Ordinal);

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
        _flights.TryRemove(KeyValuePair.Create(key, flight));
        flight.TrySetResult(result);
    }

    public int InFlight => _flights.Count;
}
