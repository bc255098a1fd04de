using System.Net;
using EdgeGuard.Proxy.Budget;
using EdgeGuard.Proxy.Caching;
using ZiggyCreatures.Caching.Fusion;

namespace EdgeGuard.Proxy.Reads;

/// <summary>
/// The cache side of a read, and its one say on the client's budget: the entry for an id, filled on a miss by one fetch
/// for every caller waiting (<see cref="UpstreamFetcher"/>), stored as <see cref="ProductCacheRules"/> decide. An entry
/// fetched before a write of its id committed is older than what the catalog now says (see <see cref="CommitPositions"/>):
/// it is dropped and filled again, whichever instance stored it and however it raced the write.
/// <para>
/// A request that reaches the catalog spends its client's budget (<see cref="ClientBudget"/>), once: a miss in the
/// fill it runs (callers that wait for that fill spend nothing, nor does a refresh of what the cache holds), or its own
/// request forwarded as it came. After its own fill found an answer that may not be shared, a request either gets that
/// answer (<see cref="RelayRule"/>) or is forwarded without spending again.
/// </para>
/// </summary>
public sealed class ProductLookup(ProductCache cache, UpstreamFetcher fetcher, ProductCacheRules rules, CachePolicy policy, CommitPositions commits, ClientBudget budget, TimeProvider time)
{
    /// <summary>Looks up <paramref name="id"/>, filling it through <paramref name="request"/> on a miss.</summary>
    /// <param name="client">The client's request, for what its own answer could depend on.</param>
    public async ValueTask<LookupOutcome> FindAsync(string id, FetchRequest request, HttpRequest client)
    {
        for (var attempt = 0; ; attempt++)
        {
            var fill = new Fill(this, id, request);
            CacheEntry entry;
            try
            {
                entry = await cache.GetOrFillAsync(id, fill.RunAsync).ConfigureAwait(false);
            }
            catch (UpstreamFailedException e)
            {
                return LookupOutcome.Failed(e.Status, e.Message);
            }
            catch (SyntheticTimeoutException)
            {
                // Not counted as a catalog failure here: the fetch goes on in the background and is counted once, if it fails.
                return LookupOutcome.Failed(StatusCodes.Status504GatewayTimeout, "The catalog did not answer in time.");
            }

            if (fill.Refused is { } refused)
            {
                return LookupOutcome.OverBudget(refused);
            }

            if (commits.IsCurrent(id, entry.Position) || attempt == 2)
            {
                // After two refills still older than a write (writes of this id keep committing under it),
                // the last fetch's own answer is the freshest there is.
                return Outcome(entry, fill.Answer, client);
            }

            await cache.RemoveAsync(id).ConfigureAwait(false);
        }
    }

    /// <summary>A HEAD: a fresh cached answer if there is one (a HEAD never fills the cache), else the request forwarded.</summary>
    public async ValueTask<LookupOutcome> FindForHeadAsync(string id, IPAddress? client) =>
        await cache.PeekAsync(id).ConfigureAwait(false) is { Kind: CacheEntryKind.Answer } entry && commits.IsCurrent(id, entry.Position) &&
        !entry.IsStaleAt(time.GetUtcNow())
            ? new LookupOutcome(LookupKind.Hit, entry)
            : Forward(client);

    /// <summary>The client's own request, forwarded as it came, if its budget allows.</summary>
    public LookupOutcome Forward(IPAddress? client) =>
        Spend(client) is { } refused ? LookupOutcome.OverBudget(refused) : LookupOutcome.Forward(spent: true);

    private BudgetRefusal? Spend(IPAddress? client) => budget.TrySpend(client);

    // What a fill uses of the lookup: a fill refers to the lookup instead of holding each of these itself (a fill is
    // made per miss).
    private ProductCache Cache => cache;

    private UpstreamFetcher Fetcher => fetcher;

    private ProductCacheRules Rules => rules;

    private CachePolicy Policy => policy;

    private TimeProvider Time => time;

    private LookupOutcome Outcome(CacheEntry entry, UpstreamAnswer? fetched, HttpRequest client) => entry.Kind switch
    {
        // A request spends at most once: after its own fill, its forward is free.
        CacheEntryKind.PassThrough when fetched is null => Forward(client.HttpContext.Connection.RemoteIpAddress),
        CacheEntryKind.PassThrough => RelayRule.MayRelay(fetched, client)
            ? new LookupOutcome(LookupKind.Relayed, Answer: fetched)
            : LookupOutcome.Forward(spent: true),
        CacheEntryKind.Absent when fetched is not null => new LookupOutcome(LookupKind.FetchedAbsent, Answer: fetched),
        CacheEntryKind.Absent => new LookupOutcome(LookupKind.Negative, entry),
        _ when fetched is not null => new LookupOutcome(LookupKind.Fetched, entry),
        _ => new LookupOutcome(entry.IsStaleAt(time.GetUtcNow()) ? LookupKind.Stale : LookupKind.Hit, entry),
    };

    /// <summary>One fill of the cache; remembers the answer it fetched, or its budget's refusal, for the caller that ran it.</summary>
    private sealed class Fill(ProductLookup lookup, string id, FetchRequest request)
    {
        public UpstreamAnswer? Answer { get; private set; }

        public BudgetRefusal? Refused { get; private set; }

        public async Task<CacheEntry> RunAsync(FusionCacheFactoryExecutionContext<CacheEntry> context, CancellationToken cancellationToken)
        {
            // A miss costs its client one catalog request. A refresh of an entry the cache still holds (an eager
            // refresh, an expired answer kept for fail-safe) is nobody's miss: it keeps what everyone reads fresh.
            if (!context.HasStaleValue && lookup.Spend(request.Client) is { } refused)
            {
                Refused = refused;
                return lookup.Policy.Withhold(lookup.Time.GetUtcNow(), context.Options);
            }

            if (context.HasStaleValue && await RefreshedElsewhereAsync(context.StaleValue.Value).ConfigureAwait(false) is { } shared)
            {
                lookup.Policy.Adopt(shared, lookup.Time.GetUtcNow(), context.Options);
                return shared;
            }

            UpstreamAnswer answer;
            try
            {
                answer = await lookup.Fetcher.FetchAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (UpstreamFailedException) when (!context.HasStaleValue && lookup.Cache.IsDistributed)
            {
                if (await LastGoodAnswerAsync().ConfigureAwait(false) is not { } last)
                {
                    throw;
                }

                lookup.Policy.StoreNowhere(context.Options);
                return last;
            }

            var entry = lookup.Rules.Decide(answer);
            lookup.Policy.Apply(entry, lookup.Time.GetUtcNow(), context.Options);
            ProductCache.QuietFirstFetch(entry, context.Options);
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
            var read = await lookup.Cache.ReadSharedPastCircuitAsync(id).ConfigureAwait(false);
            return read.Entry is { Kind: CacheEntryKind.Answer } entry && lookup.Time.GetUtcNow() - entry.FetchedAt <= lookup.Policy.FailSafeMaxAge ? entry : null;
        }

        /// <summary>
        /// A refresh of an entry the cache holds (an eager refresh, an entry the backplane said another instance replaced,
        /// an expired one) may have been done already by another instance: it writes Redis before it releases the lock
        /// this refresh then takes, and fetching again would cost the catalog a second request for one lifetime. Redis
        /// is read once more, telling "nothing newer" from "no answer" (FusionCache's own read before the lock takes a
        /// slow answer for a miss): a newer fresh entry is taken. An entry held here that was fetched too recently for
        /// its refresh to be due is kept (see <see cref="CachePolicy.IsRecentlyFetched"/>): the backplane brought it
        /// while this refresh waited for the lock. With no answer, an entry still fresh here is kept until it expires.
        /// Only then is the catalog asked (it answers; Redis may not).
        /// </summary>
        private async ValueTask<CacheEntry?> RefreshedElsewhereAsync(CacheEntry held)
        {
            if (!lookup.Cache.IsDistributed)
            {
                return null;
            }

            var read = await lookup.Cache.ReadSharedAsync(id).ConfigureAwait(false);
            var now = lookup.Time.GetUtcNow();
            if (read.Entry is { } shared && shared.FetchedAt > held.FetchedAt && !shared.IsStaleAt(now))
            {
                return shared;
            }

            return (read.Failed || lookup.Policy.IsRecentlyFetched(held, now)) && !held.IsStaleAt(now) ? held : null;
        }
    }
}
