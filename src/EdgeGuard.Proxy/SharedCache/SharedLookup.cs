using EdgeGuard.Proxy.Budget;
using EdgeGuard.Proxy.Caching;
using EdgeGuard.Proxy.HttpCaching;
using EdgeGuard.Proxy.Reads;
using Microsoft.Net.Http.Headers;
using ZiggyCreatures.Caching.Fusion;

namespace EdgeGuard.Proxy.SharedCache;

/// <summary>
/// The cache side of a shared route: the entry for a request, filled on a miss by one fetch for every request
/// waiting (<see cref="SharedFill"/>). A URL whose answers vary holds a <c>Vary</c> marker under its primary key, and
/// each variant under a secondary key made of the request's values of the varying headers (<see cref="VarySpec"/>).
/// </summary>
public sealed class SharedLookup(
    SharedCacheStore store,
    SharedFetcher fetcher,
    SharedEntries entries,
    CachePolicy policy,
    ClientBudget budget,
    TimeProvider time)
{
    /// <summary>Looks up <paramref name="primaryKey"/> (and its variant), filling it through <paramref name="request"/> on a miss.</summary>
    public async ValueTask<SharedLookupResult> FindAsync(string primaryKey, HttpRequest client, SharedFetchRequest request)
    {
        var fill = NewFill(primaryKey, primaryKey, null, request);
        var found = await FillAsync(primaryKey, fill).ConfigureAwait(false);
        if (found.Entry is not { Kind: CacheEntryKind.Variants } marker)
        {
            return found;
        }

        if (fill.Variant is { } own)
        {
            return found with { Entry = own.Entry, Key = own.Key }; // this request fetched the first variant itself
        }

        var secondary = SecondaryKey(primaryKey, marker, client.Headers);
        var variantFill = NewFill(secondary, primaryKey, marker, request);
        var variant = await FillAsync(secondary, variantFill).ConfigureAwait(false);
        return variantFill.Variant is { } moved ? variant with { Entry = moved.Entry, Key = moved.Key } : variant;
    }

    /// <summary>The stored answer for the request's key (and variant) that FusionCache counts as fresh, without fetching.</summary>
    public async ValueTask<CacheEntry?> PeekAsync(string primaryKey, HttpRequest client)
    {
        var entry = await store.PeekAsync(primaryKey).ConfigureAwait(false);
        return entry is { Kind: CacheEntryKind.Variants } marker
            ? await store.PeekAsync(SecondaryKey(primaryKey, marker, client.Headers)).ConfigureAwait(false)
            : entry;
    }

    /// <summary>Stores an answer fetched outside a fill (a request that fetched on its own), under its variant's key when it varies.</summary>
    public async ValueTask StoreAsync(string primaryKey, CacheEntry entry, HttpRequest client)
    {
        var entryOptions = store.NewEntryOptions();
        entries.Apply(entry, entryOptions);
        if (VarySpec.Parse(HeaderFields.Lines(entry.Headers, HeaderNames.Vary)) is not { } vary)
        {
            await store.SetAsync(primaryKey, entry, entryOptions).ConfigureAwait(false);
            return;
        }

        var current = await store.PeekAsync(primaryKey).ConfigureAwait(false);
        var marker = current is { Kind: CacheEntryKind.Variants } held &&
                     VarySpec.Parse(HeaderFields.Lines(held.Headers, HeaderNames.Vary)) is { } heldVary && heldVary.Names.SequenceEqual(vary.Names, StringComparer.Ordinal)
            ? held
            : null;
        if (marker is null)
        {
            var markerOptions = store.NewEntryOptions();
            marker = entries.Variants(vary, markerOptions);
            await store.SetAsync(primaryKey, marker, markerOptions).ConfigureAwait(false);
        }

        await store.SetAsync(SecondaryKey(primaryKey, marker, client.Headers), entry, entryOptions).ConfigureAwait(false);
    }

    /// <summary>Removes what is stored for <paramref name="primaryKey"/> (a variant marker's removal leaves its variants unreachable).</summary>
    public ValueTask InvalidateAsync(string primaryKey) => store.RemoveAsync(primaryKey);

    private async ValueTask<SharedLookupResult> FillAsync(string key, SharedFill fill)
    {
        try
        {
            var entry = await store.GetOrFillAsync(key, fill.RunAsync).ConfigureAwait(false);
            return new SharedLookupResult(fill.Refused is null ? entry : null, key, fill.Answer, fill.Revalidated, fill.Failure, fill.Refused);
        }
        catch (UpstreamFailedException e)
        {
            return new SharedLookupResult(null, key, fill.Answer, false, e, null);
        }
        catch (FusionCacheFactoryException) when (fill.Failure is { } failure)
        {
            return new SharedLookupResult(null, key, fill.Answer, false, failure, null);
        }
        catch (SyntheticTimeoutException)
        {
            return new SharedLookupResult(null, key, null, false, new UpstreamFailedException(StatusCodes.Status504GatewayTimeout, "The origin did not answer in time."), null);
        }
    }

    private static string SecondaryKey(string primaryKey, CacheEntry marker, IHeaderDictionary client)
    {
        var vary = VarySpec.Parse(HeaderFields.Lines(marker.Headers, HeaderNames.Vary))!;
        return SharedCacheKey.Secondary(primaryKey, marker.FetchedAt, vary.SecondaryKey(client, SharedFetchRequest.Forwards));
    }

    private SharedFill NewFill(string key, string primaryKey, CacheEntry? marker, SharedFetchRequest request) =>
        new(key, primaryKey, marker, request, fetcher, entries, store, policy, budget, time);
}
