using EdgeGuard.Proxy.Budget;
using EdgeGuard.Proxy.Caching;
using EdgeGuard.Proxy.HttpCaching;
using EdgeGuard.Proxy.Reads;
using Microsoft.Net.Http.Headers;
using ZiggyCreatures.Caching.Fusion;

namespace EdgeGuard.Proxy.SharedCache;

/// <summary>
/// One fill of a shared route's key, run by FusionCache once for every request waiting for it (and again, in the
/// background, for an eager refresh). A miss spends the budget of the client whose request runs it. An expired
/// entry with validators is revalidated with a conditional request (FusionCache hands the expired entry to the fill
/// as its stale value, the way its conditional refresh works) and a 304 freshens it. When the origin fails, the
/// expired entry is served in its place only where <see cref="SharedEntries.MayServeOnError"/> allows; otherwise the
/// failure reaches the caller. Remembers what happened for the caller that ran it.
/// </summary>
internal sealed class SharedFill(
    string key,
    string primaryKey,
    CacheEntry? variantsMarker,
    SharedFetchRequest request,
    SharedFetcher fetcher,
    SharedEntries entries,
    SharedCacheStore store,
    CachePolicy policy,
    ClientBudget budget,
    TimeProvider time)
{
    public UpstreamAnswer? Answer { get; private set; }

    public bool Revalidated { get; private set; }

    public UpstreamFailedException? Failure { get; private set; }

    public BudgetRefusal? Refused { get; private set; }

    /// <summary>Where this fill stored the answer it fetched when that answer varies (its secondary key), and the entry.</summary>
    public (string Key, CacheEntry Entry)? Variant { get; private set; }

    public async Task<CacheEntry> RunAsync(FusionCacheFactoryExecutionContext<CacheEntry> context, CancellationToken cancellationToken)
    {
        if (!context.HasStaleValue && budget.TrySpend(request.Client) is { } refused)
        {
            Refused = refused;
            return policy.Withhold(time.GetUtcNow(), context.Options);
        }

        var stale = context.HasStaleValue && context.StaleValue.Value.Kind == CacheEntryKind.Answer ? context.StaleValue.Value : null;
        var (ifNoneMatch, ifModifiedSince) = stale is null ? (null, null) : Revalidation.Validators(stale.Headers);
        UpstreamAnswer answer;
        try
        {
            answer = await fetcher.FetchAsync(request, ifNoneMatch, ifModifiedSince, cancellationToken).ConfigureAwait(false);
        }
        catch (UpstreamFailedException e)
        {
            Failure = e;
            if (stale is null || !entries.MayServeOnError(stale, time.GetUtcNow()))
            {
                context.Options.IsFailSafeEnabled = false; // the failure reaches the caller, the expired entry stays as it was
            }

            throw;
        }

        if (answer.StatusCode == StatusCodes.Status304NotModified && stale is not null && (ifNoneMatch ?? ifModifiedSince) is not null)
        {
            return Freshen(context, stale, answer);
        }

        var entry = entries.ToEntry(answer, request.Headers.Any(h => h.Key.Equals(HeaderNames.Authorization, StringComparison.OrdinalIgnoreCase)));
        if (answer.StatusCode >= 500 && entry is null && stale is not null && entries.MayServeOnError(stale, time.GetUtcNow()))
        {
            // stale-if-error: the origin's error is not kept, the expired answer is served instead (fail-safe).
            Failure = new UpstreamFailedException(answer.StatusCode, $"The origin answered {answer.StatusCode}.");
            Answer = answer;
            return context.Fail(Failure.Message);
        }

        Answer = answer;
        if (entry is null)
        {
            return entries.Pass(context.Options);
        }

        return await StoreAsync(context, entry).ConfigureAwait(false);
    }

    private CacheEntry Freshen(FusionCacheFactoryExecutionContext<CacheEntry> context, CacheEntry stale, UpstreamAnswer notModified)
    {
        Revalidated = true;
        var headers = Revalidation.Freshen(stale.Headers, notModified.Headers);
        var freshened = SharedEntries.ToEntry(stale.StatusCode, headers, stale.Body, notModified.RequestTime, notModified.ResponseTime, requestHadAuthorization: false);
        if (freshened is null)
        {
            // The 304 made the answer unstorable (no-store, private): this request gets it, nobody else.
            Answer = new UpstreamAnswer(stale.StatusCode, headers, stale.Body, TooLarge: false, notModified.RequestTime, notModified.ResponseTime, notModified.Position);
            return entries.Pass(context.Options);
        }

        entries.Apply(freshened, context.Options);
        return freshened;
    }

    private async Task<CacheEntry> StoreAsync(FusionCacheFactoryExecutionContext<CacheEntry> context, CacheEntry entry)
    {
        var vary = VarySpec.Parse(HeaderFields.Lines(entry.Headers, HeaderNames.Vary));
        if (vary is null)
        {
            if (variantsMarker is not null)
            {
                // The URL's answers stopped varying: the answer takes the marker's place.
                var primaryOptions = store.NewEntryOptions();
                entries.Apply(entry, primaryOptions);
                await store.SetAsync(primaryKey, entry, primaryOptions).ConfigureAwait(false);
            }

            entries.Apply(entry, context.Options);
            return entry;
        }

        if (variantsMarker is not null && SameNames(variantsMarker, vary))
        {
            entries.Apply(entry, context.Options);
            return entry;
        }

        // A first variant, or the URL now varies on other headers: a new marker (a new generation, so variants stored
        // under the old one are not found), and this answer under its secondary key.
        var markerOptions = store.NewEntryOptions();
        var marker = entries.Variants(vary, markerOptions);
        var variantKey = SharedCacheKey.Secondary(primaryKey, marker.FetchedAt, vary.SecondaryKey(RequestHeaders(), SharedFetchRequest.Forwards));
        var variantOptions = store.NewEntryOptions();
        entries.Apply(entry, variantOptions);
        await store.SetAsync(variantKey, entry, variantOptions).ConfigureAwait(false);
        Variant = (variantKey, entry);
        if (key == primaryKey)
        {
            context.Options = markerOptions;
            return marker;
        }

        await store.SetAsync(primaryKey, marker, markerOptions).ConfigureAwait(false);
        entries.Apply(entry, context.Options);
        return entry;
    }

    private HeaderDictionary RequestHeaders()
    {
        var headers = new HeaderDictionary();
        foreach (var (name, values) in request.Headers)
        {
            headers[name] = values;
        }

        return headers;
    }

    private static bool SameNames(CacheEntry marker, VarySpec vary) =>
        VarySpec.Parse(HeaderFields.Lines(marker.Headers, HeaderNames.Vary)) is { } stored && stored.Names.SequenceEqual(vary.Names, StringComparer.Ordinal);
}
