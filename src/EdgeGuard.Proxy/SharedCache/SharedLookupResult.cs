using EdgeGuard.Proxy.Budget;
using EdgeGuard.Proxy.Caching;
using EdgeGuard.Proxy.Reads;

namespace EdgeGuard.Proxy.SharedCache;

/// <summary>What a shared route's lookup found.</summary>
/// <param name="Entry">The entry for the request's key (an answer, or a pass marker).</param>
/// <param name="Key">The key it is stored under (the secondary key for a variant).</param>
/// <param name="Fetched">The origin's answer when this very request's fill fetched it.</param>
/// <param name="Revalidated">This request's fill revalidated the entry (a 304 freshened it).</param>
/// <param name="Failure">This request's fill failed (and the entry, if any, is the stale one).</param>
/// <param name="Refused">The fill would have reached the origin and the client is over its budget.</param>
public sealed record SharedLookupResult(
    CacheEntry? Entry,
    string Key,
    UpstreamAnswer? Fetched,
    bool Revalidated,
    UpstreamFailedException? Failure,
    BudgetRefusal? Refused);
