using System.Diagnostics;
using EdgeGuard.Filter;
using EdgeGuard.Proxy.Caching;
using EdgeGuard.Proxy.Configuration;
using EdgeGuard.Proxy.Filtering;
using EdgeGuard.Proxy.Observability;
using EdgeGuard.Proxy.Writes;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace EdgeGuard.Proxy.Protection;

/// <summary>
/// The read flow for routes whose metadata names a product id (<see cref="RouteMetadataKeys.ProductId"/>),
/// in YARP's proxy pipeline ahead of the forwarder: invalid id -> 400; the filter says "cannot exist" ->
/// 404 with no cache or upstream work; cache hit -> the cached answer; miss -> forward once per id however
/// many ask at the same moment, then cache a 200 (positive TTL) or a 404 (short negative TTL). Upstream
/// failures become 502/503/504 problem responses and are never cached.
/// </summary>
public sealed class ProductReadMiddleware(
    RequestDelegate next,
    ProductFilter filter,
    IProductCacheStore cache,
    ProductIdRule idRule,
    CommitPositions commits,
    LogThrottle logThrottle,
    EdgeGuardMetrics metrics,
    IOptions<EdgeGuardOptions> options,
    ILogger<ProductReadMiddleware> logger)
{
    private readonly SingleFlight<CacheEntry> _flights = new();
    private readonly CacheOptions _cacheOptions = options.Value.Cache;

    public Task InvokeAsync(HttpContext context)
    {
        var method = context.Request.Method;
        var isHead = HttpMethods.IsHead(method);
        if (!(HttpMethods.IsGet(method) || isHead) ||
            context.GetReverseProxyFeature().Route.Config.Metadata?.GetValueOrDefault(RouteMetadataKeys.ProductId) is not { } idRouteValue)
        {
            return next(context);
        }

        return AnswerAsync(context, context.GetRouteValue(idRouteValue) as string, isHead);
    }

    private async Task AnswerAsync(HttpContext context, string? id, bool isHead)
    {
        var started = Stopwatch.GetTimestamp();
        string source;
        if (id is null || !idRule.IsValid(id))
        {
            metrics.InvalidRequests.Inc();
            source = Sources.Invalid;
            await GatewayResponses.WriteProblemAsync(context, StatusCodes.Status400BadRequest, "Invalid product id",
                $"A product id matches {idRule.Pattern}.").ConfigureAwait(false);
        }
        else if (!filter.MightContain(id))
        {
            metrics.BloomRejects.Inc();
            source = Sources.Bloom;
            await GatewayResponses.WriteAbsentAsync(context, id, source).ConfigureAwait(false);
        }
        else if (filter.Pending.Contains(id))
        {
            // A write of this id is in flight: the catalog may change its answer at any moment, so neither
            // the cache nor a shared fetch that began before the write can be trusted.
            metrics.UpstreamRequests.Inc();
            source = Sources.Upstream;
            context.Response.Headers[Sources.HeaderName] = source;
            await next(context).ConfigureAwait(false);
        }
        // The flight-endings mark is taken before the lookup; a miss hands it to ForwardOnceAsync.
        else if (_flights.EndingsSeen(id) is var endingsSeen &&
                 await cache.GetAsync(id, context.RequestAborted).ConfigureAwait(false) is { } cached)
        {
            if (cached.IsNegative)
            {
                metrics.CacheNegativeHits.Inc();
                source = Sources.NegativeCache;
                await GatewayResponses.WriteAbsentAsync(context, id, source).ConfigureAwait(false);
            }
            else
            {
                metrics.CacheHits.Inc();
                source = Sources.Cache;
                await GatewayResponses.ReplayAsync(context, cached, source).ConfigureAwait(false);
            }
        }
        else if (isHead)
        {
            // A HEAD answer has no body to cache or share: forward it as it is.
            metrics.UpstreamRequests.Inc();
            source = Sources.Upstream;
            context.Response.Headers[Sources.HeaderName] = source;
            await next(context).ConfigureAwait(false);
        }
        else
        {
            source = Sources.Upstream;
            await ForwardOnceAsync(context, id, endingsSeen).ConfigureAwait(false);
        }

        metrics.ObserveDuration(source, Stopwatch.GetElapsedTime(started));
    }

    private async ValueTask ForwardOnceAsync(HttpContext context, string id, long endingsSeen)
    {
        if (!_flights.Join(id, out var flight))
        {
            var shared = await flight.Task.WaitAsync(context.RequestAborted).ConfigureAwait(false);
            if (shared is null)
            {
                // The leader's answer could not be shared (too large to hold, or its client went away).
                shared = await FetchAsync(context).ConfigureAwait(false);
            }

            if (shared is not null)
            {
                await GatewayResponses.ReplayAsync(context, shared, Sources.Upstream).ConfigureAwait(false);
            }

            return;
        }

        CacheEntry? answer = null;
        var source = Sources.Upstream;
        try
        {
            // Checked again when, between this request's cache miss and its joining, another flight for
            // the id may have filled the cache and ended: without this second look such a request would
            // start a second upstream fetch for the same expiry. When no flight for it ended meanwhile,
            // the first look stands (no second Redis round trip on a cold miss).
            if (_flights.EndedSince(id, endingsSeen) &&
                await cache.GetAsync(id, context.RequestAborted).ConfigureAwait(false) is { } filled)
            {
                (answer, source) = filled.IsNegative
                    ? (GatewayResponses.Absent(id, Sources.NegativeCache), Sources.NegativeCache)
                    : (filled, Sources.Cache);
            }
            else
            {
                var fetchedAt = commits.Applied;
                answer = await FetchAsync(context).ConfigureAwait(false);
                if (answer is not null)
                {
                    await StoreAsync(id, answer, fetchedAt).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            _flights.Complete(id, flight, answer);
        }

        if (answer is not null)
        {
            await GatewayResponses.ReplayAsync(context, answer, source).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Forwards through YARP with the response held back. Null when the answer already went to the client
    /// (a body over the cacheable limit streams through) or the client went away.
    /// </summary>
    private async ValueTask<CacheEntry?> FetchAsync(HttpContext context)
    {
        metrics.UpstreamRequests.Inc();
        context.Response.Headers[Sources.HeaderName] = Sources.Upstream;
        var capture = ResponseCapture.Install(context, _cacheOptions.MaxBodyBytes);
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            await capture.UninstallAsync().ConfigureAwait(false);
        }

        if (capture.Overflowed || context.RequestAborted.IsCancellationRequested)
        {
            return null;
        }

        var status = context.Response.StatusCode;
        var error = context.Features.Get<IForwarderErrorFeature>()?.Error ?? ForwarderError.None;
        if (error != ForwarderError.None || status >= 500)
        {
            var (answerStatus, detail) = error switch
            {
                ForwarderError.None => (status is 503 or 504 ? status : StatusCodes.Status502BadGateway, $"The catalog answered {status}."),
                ForwarderError.RequestTimedOut => (StatusCodes.Status504GatewayTimeout, "The catalog did not answer in time."),
                ForwarderError.NoAvailableDestinations => (StatusCodes.Status503ServiceUnavailable, "No catalog destination is available."),
                _ => (StatusCodes.Status502BadGateway, $"The catalog could not be reached ({error})."),
            };
            if (logThrottle.ShouldLog("catalog-answer:" + answerStatus, out var suppressed))
            {
                Log.UpstreamFailed(logger, context.Request.Path, detail, answerStatus, suppressed);
            }

            context.Response.Headers.Clear();
            return GatewayResponses.Problem(answerStatus, "Catalog unavailable", detail, context.Request.Path);
        }

        return CacheEntry.Positive(status, context.Response.ContentType, capture.TakeBody());
    }

    private async ValueTask StoreAsync(string id, CacheEntry answer, long fetchedAt)
    {
        var (entry, ttl) = answer.StatusCode switch
        {
            StatusCodes.Status200OK => (answer, _cacheOptions.PositiveTtl),
            StatusCodes.Status404NotFound => (CacheEntry.Negative, NegativeTtl()),
            _ => (null, TimeSpan.Zero),
        };
        if (entry is null)
        {
            return;
        }

        // Not tied to the request: a client that leaves must not leave the cache half-done.
        await cache.SetAsync(id, entry, ttl, CancellationToken.None).ConfigureAwait(false);
        if (!commits.IsCurrent(id, fetchedAt))
        {
            // A write to this product overlapped the fetch: what was fetched may predate it.
            await cache.RemoveAsync(id, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private TimeSpan NegativeTtl() =>
        _cacheOptions.NegativeTtl - _cacheOptions.NegativeTtlJitter * Random.Shared.NextDouble();
}
