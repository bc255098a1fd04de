using System.Globalization;
using EdgeGuard.Proxy.Budget;
using EdgeGuard.Proxy.Caching;
using EdgeGuard.Proxy.Gateway;
using EdgeGuard.Proxy.HttpCaching;
using EdgeGuard.Proxy.Observability;
using EdgeGuard.Proxy.Reads;
using Microsoft.AspNetCore.Http.Extensions;

namespace EdgeGuard.Proxy.SharedCache;

/// <summary>
/// The read flow of a route whose metadata says <c>EdgeGuard.Cache: shared</c> (<see cref="RouteMetadataKeys.Cache"/>),
/// in YARP's proxy pipeline ahead of the forwarder. The policies (<see cref="ISharedCachePolicy"/>) say what the cache
/// may do for the request; then: a GET is looked up (one fetch per key however many ask, revalidated when expired)
/// and answered from the cache, stale only where the answer allows it, or from the origin; a HEAD is answered from a
/// fresh stored answer or forwarded; an unsafe method is forwarded and, once the origin accepted it, invalidates what
/// is stored for its URL and the URLs its <c>Location</c> and <c>Content-Location</c> name. Every request that reaches
/// the origin here spends its client's budget (<see cref="ClientBudget"/>), except those that wait for another's fetch.
/// </summary>
public sealed class SharedCacheMiddleware(
    RequestDelegate next,
    IEnumerable<ISharedCachePolicy> policies,
    SharedLookup lookup,
    SharedFetcher fetcher,
    SharedEntries entries,
    ClientBudget budget,
    EdgeGuardMetrics metrics,
    TimeProvider time)
{
    private readonly ISharedCachePolicy[] _policies = policies.ToArray();

    public Task InvokeAsync(HttpContext context)
    {
        var metadata = context.GetReverseProxyFeature().Route.Config.Metadata;
        if (metadata?.GetValueOrDefault(RouteMetadataKeys.Cache) is not { } mode ||
            !mode.Equals(RouteMetadataKeys.SharedCache, StringComparison.OrdinalIgnoreCase))
        {
            return next(context);
        }

        var cache = new SharedCacheContext(context);
        foreach (var policy in _policies)
        {
            policy.OnRequest(cache);
        }

        var request = context.Request;
        var key = SharedCacheKey.Primary(request.PathBase, request.Path, request.QueryString);
        if (!(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)))
        {
            return ForwardAndInvalidateAsync(context);
        }

        if (cache.OnlyIfCached)
        {
            return OnlyIfCachedAsync(context, key);
        }

        if (!cache.AllowCacheLookup)
        {
            return cache.AllowCacheStorage ? FetchOwnAsync(cache, key, stale: null) : ForwardAsync(context);
        }

        return HttpMethods.IsHead(request.Method) ? HeadAsync(context, key) : GetAsync(cache, key);
    }

    private async Task GetAsync(SharedCacheContext cache, string key)
    {
        var context = cache.HttpContext;
        var found = await lookup.FindAsync(key, context.Request, SharedFetchRequest.From(context, next, shared: true)).ConfigureAwait(false);
        if (found.Refused is { } refused)
        {
            await HoldAsync(context, refused).ConfigureAwait(false);
            return;
        }

        var now = time.GetUtcNow();
        switch (found.Entry)
        {
            case null:
                await FailAsync(context, found.Failure!, found.Fetched).ConfigureAwait(false);
                return;
            case { Kind: CacheEntryKind.PassThrough }:
                // The answer may not be stored: the request that fetched it gets it (unless the shared fetch left out its
                // cookies: it then gets its own, the way product reads do); the others fetch their own.
                if (found.Fetched is { TooLarge: false } own && !cache.HasCookie)
                {
                    await SharedResponses.RelayAsync(context, own, AnswerSource.Upstream).ConfigureAwait(false);
                }
                else if (found.Fetched is not null)
                {
                    await ForwardAsync(context, spend: false).ConfigureAwait(false);
                }
                else
                {
                    await FetchOwnAsync(cache, key, stale: null).ConfigureAwait(false);
                }

                return;
        }

        var entry = found.Entry;
        if (found.Failure is { } failure)
        {
            // The fill failed and FusionCache handed back the expired answer (fail-safe): only where it allows that.
            await (entries.MayServeOnError(entry, now)
                ? StaleAsync(context, entry, now)
                : FailAsync(context, failure, found.Fetched)).ConfigureAwait(false);
            return;
        }

        if (found.Fetched is not null || found.Revalidated)
        {
            await SharedResponses.ReplayAsync(context, entry, AnswerSource.Upstream, now).ConfigureAwait(false);
        }
        else if (!entry.IsStaleAt(now) || SharedEntries.InRevalidationWindow(entry, now))
        {
            // Fresh, or in its stale-while-revalidate window (FusionCache's eager refresh revalidates it behind this answer).
            await SharedResponses.ReplayAsync(context, entry, AnswerSource.Cache, now).ConfigureAwait(false);
        }
        else if (entries.MayServeOnError(entry, now))
        {
            // Expired, yet handed back without a fetch by this request: the origin failed a moment ago (fail-safe's
            // throttle) or is slower than the soft timeout while a fetch runs.
            await StaleAsync(context, entry, now).ConfigureAwait(false);
        }
        else
        {
            await FetchOwnAsync(cache, key, entry).ConfigureAwait(false);
        }
    }

    private async Task HeadAsync(HttpContext context, string key)
    {
        var now = time.GetUtcNow();
        if (await lookup.PeekAsync(key, context.Request).ConfigureAwait(false) is { Kind: CacheEntryKind.Answer } entry && !entry.IsStaleAt(now))
        {
            await SharedResponses.ReplayAsync(context, entry, AnswerSource.Cache, now).ConfigureAwait(false);
            return;
        }

        await ForwardAsync(context).ConfigureAwait(false);
    }

    private async Task OnlyIfCachedAsync(HttpContext context, string key)
    {
        var now = time.GetUtcNow();
        if (await lookup.PeekAsync(key, context.Request).ConfigureAwait(false) is { Kind: CacheEntryKind.Answer } entry && !entry.IsStaleAt(now))
        {
            await SharedResponses.ReplayAsync(context, entry, AnswerSource.Cache, now).ConfigureAwait(false);
            return;
        }

        await GatewayResponses.WriteProblemAsync(context, StatusCodes.Status504GatewayTimeout, "Not cached",
            "The request said only-if-cached and no fresh stored answer exists.", AnswerSource.Cache).ConfigureAwait(false);
    }

    /// <summary>This request's own GET (its cookies too), not shared with others; its answer is stored when it may be and
    /// the request carried no cookie.</summary>
    private async Task FetchOwnAsync(SharedCacheContext cache, string key, CacheEntry? stale)
    {
        var context = cache.HttpContext;
        if (budget.TrySpend(context.Connection.RemoteIpAddress) is { } refused)
        {
            await HoldAsync(context, refused).ConfigureAwait(false);
            return;
        }

        UpstreamAnswer answer;
        try
        {
            answer = await fetcher.FetchAsync(SharedFetchRequest.From(context, next, shared: false), null, null, context.RequestAborted).ConfigureAwait(false);
        }
        catch (UpstreamFailedException e)
        {
            await (stale is not null && entries.MayServeOnError(stale, time.GetUtcNow()) ? StaleAsync(context, stale, time.GetUtcNow()) : FailAsync(context, e, null))
                .ConfigureAwait(false);
            return;
        }

        if (answer.TooLarge)
        {
            await ForwardAsync(context, spend: false).ConfigureAwait(false);
            return;
        }

        // An answer fetched with the client's cookies may be that client's own: it is never stored for others.
        if (cache.AllowCacheStorage && !cache.HasCookie && entries.ToEntry(answer, cache.HasAuthorization) is { } entry)
        {
            await lookup.StoreAsync(key, entry, context.Request).ConfigureAwait(false);
        }

        await SharedResponses.RelayAsync(context, answer, AnswerSource.Upstream).ConfigureAwait(false);
    }

    /// <summary>An unsafe method: forwarded as it is; once the origin accepted it (2xx, 3xx), what is stored for its
    /// URL, and for those its answer's <c>Location</c> and <c>Content-Location</c> name, is invalidated before the answer leaves.</summary>
    private Task ForwardAndInvalidateAsync(HttpContext context)
    {
        var method = context.Request.Method;
        var uri = new Uri(context.Request.GetEncodedUrl());
        context.Response.OnStarting(async () =>
        {
            if (Invalidation.Invalidates(method, context.Response.StatusCode))
            {
                foreach (var target in Invalidation.Targets(uri, context.Response.Headers))
                {
                    await lookup.InvalidateAsync(SharedCacheKey.Primary(target)).ConfigureAwait(false);
                }
            }
        });
        return ForwardAsync(context);
    }

    /// <summary>The client's own request, forwarded as it is and streamed back: nothing cached or shared.</summary>
    private async Task ForwardAsync(HttpContext context, bool spend = true)
    {
        if (spend && budget.TrySpend(context.Connection.RemoteIpAddress) is { } refused)
        {
            await HoldAsync(context, refused).ConfigureAwait(false);
            return;
        }

        metrics.UpstreamRequests.Add(1);
        context.Response.Headers[AnswerSource.HeaderName] = AnswerSource.Upstream;
        await next(context).ConfigureAwait(false);
    }

    private Task StaleAsync(HttpContext context, CacheEntry entry, DateTimeOffset now)
    {
        metrics.StaleServed.Add(1);
        return SharedResponses.ReplayAsync(context, entry, AnswerSource.Stale, now);
    }

    /// <summary>The origin failed and nothing may be served instead: its own error answer when it gave one, else the gateway's.</summary>
    private static Task FailAsync(HttpContext context, UpstreamFailedException failure, UpstreamAnswer? answer) =>
        answer is { TooLarge: false } && answer.StatusCode >= 500
            ? SharedResponses.RelayAsync(context, answer, AnswerSource.Upstream)
            : GatewayResponses.WriteProblemAsync(context, failure.Status, "Origin unavailable", failure.Message, AnswerSource.Upstream);

    private Task HoldAsync(HttpContext context, BudgetRefusal refused)
    {
        metrics.BudgetRejects.Add(1);
        context.Response.Headers.RetryAfter = refused.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return GatewayResponses.WriteProblemAsync(context, StatusCodes.Status429TooManyRequests, "Too many origin requests",
            $"This client has used its budget of requests that reach the origin (cache misses). Stored answers are still served; retry others after {refused.RetryAfterSeconds} s.",
            AnswerSource.Budget);
    }
}
