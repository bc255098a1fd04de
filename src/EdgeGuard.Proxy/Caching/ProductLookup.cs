using EdgeGuard.Proxy.Budget;
using EdgeGuard.Proxy.Protection;
using EdgeGuard.Proxy.Writes;
using ZiggyCreatures.Caching.Fusion;

namespace EdgeGuard.Proxy.Caching;

/// <summary>What a lookup found: the entry, and the catalog's answer when this very caller fetched it; or, when this
/// caller's miss would have reached the catalog and its client is over its budget, the refusal (and no entry worth
/// answering with).</summary>
public readonly record struct LookupResult(CacheEntry Entry, UpstreamAnswer? Fetched, BudgetRefusal? Refused = null);

/// <summary>
/// The cache side of a read: the entry for an id, filled on a miss by one fetch for every caller waiting
/// (<see cref="UpstreamFetcher"/>), stored as <see cref="ProductCacheRules"/> decide. An entry fetched before a
/// write of its id committed is older than what the catalog now says (see <see cref="CommitPositions"/>): it is
/// dropped and filled again, whichever instance stored it and however it raced the write. A fill spends the budget
/// of the client whose request runs it (<see cref="ClientBudget"/>); callers that wait for it spend nothing.
/// </summary>
public sealed class ProductLookup(ProductCache cache, UpstreamFetcher fetcher, ProductCacheRules rules, CachePolicy policy, CommitPositions commits, ClientBudget budget, TimeProvider time)
{
    /// <summary>Looks up <paramref name="id"/>, filling it through <paramref name="request"/>'s pipeline on a miss.</summary>
    /// <exception cref="UpstreamFailedException">The catalog failed and no stale answer could be served instead.</exception>
    public async ValueTask<LookupResult> FindAsync(string id, FetchRequest request)
    {
        for (var attempt = 0; ; attempt++)
        {
            var fill = new Fill(id, cache, fetcher, rules, policy, budget, time, request);
            var entry = await cache.GetOrFillAsync(id, fill.RunAsync).ConfigureAwait(false);
            if (fill.Refused is { } refused)
            {
                return new LookupResult(entry, null, refused);
            }

            if (commits.IsCurrent(id, entry.Position) || attempt == 2)
            {
                // After two refills still older than a write (writes of this id keep committing under it),
                // the last fetch's own answer is the freshest there is.
                return new LookupResult(entry, fill.Answer);
            }

            await cache.RemoveAsync(id).ConfigureAwait(false);
        }
    }

    /// <summary>The fresh entry for <paramref name="id"/>, if one is cached, without fetching (HEAD).</summary>
    public async ValueTask<CacheEntry?> PeekAsync(string id) =>
        await cache.PeekAsync(id).ConfigureAwait(false) is { } entry && commits.IsCurrent(id, entry.Position) ? entry : null;

    /// <summary>One fill of the cache; remembers the answer it fetched, or its budget's refusal, for the caller that ran it.</summary>
    private sealed class Fill(string id, ProductCache cache, UpstreamFetcher fetcher, ProductCacheRules rules, CachePolicy policy, ClientBudget budget, TimeProvider time, FetchRequest request)
    {
        public UpstreamAnswer? Answer { get; private set; }

        public BudgetRefusal? Refused { get; private set; }

        public async Task<CacheEntry> RunAsync(FusionCacheFactoryExecutionContext<CacheEntry> context, CancellationToken cancellationToken)
        {
            // A miss costs its client one catalog request. A refresh of an entry the cache still holds (an eager
            // refresh, an expired answer kept for fail-safe) is nobody's miss: it keeps what everyone reads fresh.
            if (!context.HasStaleValue && budget.TrySpend(request.Client) is { } refused)
            {
                Refused = refused;
                return policy.Withhold(time.GetUtcNow(), context.Options);
            }

            if (context.HasStaleValue && await RefreshedElsewhereAsync(context.StaleValue.Value).ConfigureAwait(false) is { } shared)
            {
                policy.Adopt(shared, time.GetUtcNow(), context.Options);
                return shared;
            }

            var answer = await fetcher.FetchAsync(request, cancellationToken).ConfigureAwait(false);
            var entry = rules.Decide(answer);
            policy.Apply(entry, time.GetUtcNow(), context.Options);
            Answer = answer;
            return entry;
        }

        /// <summary>
        /// An eager refresh of an entry still fresh here may have been done already by another instance. FusionCache
        /// looks in Redis for a newer entry, then takes the distributed lock without waiting; another instance can
        /// refresh the id and release the lock between the two (it writes Redis before it releases). This refresh then
        /// holds the lock with that answer in Redis: it is the refresh, and fetching again would cost the catalog a
        /// second request for one expiry.
        /// </summary>
        private async ValueTask<CacheEntry?> RefreshedElsewhereAsync(CacheEntry held)
        {
            if (!cache.IsDistributed || held.IsStaleAt(time.GetUtcNow()))
            {
                return null; // an expired entry's refresh: FusionCache read Redis under the lock before running it
            }

            return await cache.ReadSharedAsync(id).ConfigureAwait(false) is { } shared && shared.FetchedAt > held.FetchedAt && !shared.IsStaleAt(time.GetUtcNow())
                ? shared
                : null;
        }
    }
}
