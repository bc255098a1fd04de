using EdgeGuard.Proxy.Budget;
using ZiggyCreatures.Caching.Fusion;
using EdgeGuard.Proxy.Caching;

namespace EdgeGuard.Proxy.Reads;

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

            UpstreamAnswer answer;
            try
            {
                answer = await fetcher.FetchAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (UpstreamFailedException) when (!context.HasStaleValue && cache.IsDistributed)
            {
                if (await LastGoodAnswerAsync().ConfigureAwait(false) is not { } last)
                {
                    throw;
                }

                policy.StoreNowhere(context.Options);
                return last;
            }

            var entry = rules.Decide(answer);
            policy.Apply(entry, time.GetUtcNow(), context.Options);
            Answer = answer;
            return entry;
        }

        /// <summary>
        /// The catalog failed and this instance holds nothing for the id, so fail-safe has nothing to serve. Another
        /// instance's answer may still sit in Redis where this lookup did not find it: the circuit around Redis was open
        /// (after timeouts on a busy machine) or the read was slower than <c>RedisTimeout</c>. It is looked for once
        /// more, past the circuit, since the alternative is a 5xx: a 200 at most <c>FailSafeMaxAge</c> old is served (as
        /// fail-safe would, labelled stale once past its freshness), stored nowhere.
        /// </summary>
        private async ValueTask<CacheEntry?> LastGoodAnswerAsync()
        {
            var read = await cache.ReadSharedPastCircuitAsync(id).ConfigureAwait(false);
            return read.Entry is { Kind: CacheEntryKind.Answer } entry && time.GetUtcNow() - entry.FetchedAt <= policy.FailSafeMaxAge ? entry : null;
        }

        /// <summary>
        /// A refresh of an entry the cache holds (an eager refresh, an entry the backplane said another instance replaced,
        /// an expired one) may have been done already by another instance: it writes Redis before it releases the lock
        /// this refresh then takes, and fetching again would cost the catalog a second request for one lifetime. Redis
        /// is read once more, telling "nothing newer" from "no answer" (FusionCache's own read before the lock takes a
        /// slow answer for a miss): a newer fresh entry is taken; with no answer, an entry still fresh here is kept
        /// until it expires, and only an expired one is fetched (the catalog answers; Redis may not).
        /// </summary>
        private async ValueTask<CacheEntry?> RefreshedElsewhereAsync(CacheEntry held)
        {
            if (!cache.IsDistributed)
            {
                return null;
            }

            var read = await cache.ReadSharedAsync(id).ConfigureAwait(false);
            var now = time.GetUtcNow();
            if (read.Entry is { } shared && shared.FetchedAt > held.FetchedAt && !shared.IsStaleAt(now))
            {
                return shared;
            }

            return read.Failed && !held.IsStaleAt(now) ? held : null;
        }
    }
}
