using System.Diagnostics;
using EdgeGuard.Proxy.Budget;
using EdgeGuard.Proxy.Caching;
using EdgeGuard.Proxy.Observability;
using ZiggyCreatures.Caching.Fusion;
using EdgeGuard.Proxy.Gateway;

namespace EdgeGuard.Proxy.Reads;

/// <summary>
/// The read flow for routes whose metadata names a product id (<see cref="RouteMetadataKeys.ProductId"/>), in
/// YARP's proxy pipeline ahead of the forwarder: gate (id rule, filter, may the cache answer) → lookup (cache,
/// one fetch per id on a miss) → the answer, with <c>X-EdgeGuard-Source</c> saying who gave it. A request that
/// would reach the catalog spends its client's budget (<see cref="ClientBudget"/>): a miss inside the lookup's fill,
/// a request forwarded as it is here; over it, 429.
/// </summary>
public sealed class ProductReadMiddleware(
    RequestDelegate next,
    ReadGate gate,
    ProductLookup lookup,
    ClientBudget budget,
    EdgeGuardMetrics metrics,
    TimeProvider time)
{
    public Task InvokeAsync(HttpContext context)
    {
        var method = context.Request.Method;
        if (!(HttpMethods.IsGet(method) || HttpMethods.IsHead(method)) ||
            context.GetReverseProxyFeature().Route.Config.Metadata?.GetValueOrDefault(RouteMetadataKeys.ProductId) is not { } idRouteValue)
        {
            return next(context);
        }

        return AnswerAsync(context, context.GetRouteValue(idRouteValue) as string);
    }

    private async Task AnswerAsync(HttpContext context, string? id)
    {
        var started = Stopwatch.GetTimestamp();
        var source = gate.Check(context.Request, id) switch
        {
            GateDecision.Invalid => await RefuseAsync(context).ConfigureAwait(false),
            GateDecision.Absent => await RejectAsync(context, id!).ConfigureAwait(false),
            GateDecision.Forward => await ForwardAsync(context, spend: true).ConfigureAwait(false),
            _ => await LookUpAsync(context, id!).ConfigureAwait(false),
        };
        metrics.ObserveDuration(source, Stopwatch.GetElapsedTime(started));
    }

    private async ValueTask<string> LookUpAsync(HttpContext context, string id)
    {
        if (HttpMethods.IsHead(context.Request.Method))
        {
            // A HEAD is answered from a cached answer, never fills the cache (it has no body to keep).
            return await lookup.PeekAsync(id).ConfigureAwait(false) is { Kind: CacheEntryKind.Answer } cached && !cached.IsStaleAt(time.GetUtcNow())
                ? await HitAsync(context, cached, AnswerSource.Cache).ConfigureAwait(false)
                : await ForwardAsync(context, spend: true).ConfigureAwait(false);
        }

        LookupResult found;
        try
        {
            found = await lookup.FindAsync(id, FetchRequest.From(context, next)).ConfigureAwait(false);
        }
        catch (UpstreamFailedException e)
        {
            await GatewayResponses.WriteProblemAsync(context, e.Status, "Catalog unavailable", e.Message, AnswerSource.Upstream).ConfigureAwait(false);
            return AnswerSource.Upstream;
        }
        catch (SyntheticTimeoutException)
        {
            // Not counted as a catalog failure here: the fetch goes on in the background and is counted once, if it fails.
            await GatewayResponses.WriteProblemAsync(context, StatusCodes.Status504GatewayTimeout, "Catalog unavailable",
                "The catalog did not answer in time.", AnswerSource.Upstream).ConfigureAwait(false);
            return AnswerSource.Upstream;
        }

        if (found.Refused is { } refused)
        {
            return await HoldAsync(context, refused).ConfigureAwait(false);
        }

        var entry = found.Entry;
        switch (entry.Kind)
        {
            case CacheEntryKind.PassThrough:
                // A request spends at most once: after its own fill found the id may not be shared, the forward is free.
                return await ForwardAsync(context, spend: found.Fetched is null).ConfigureAwait(false);
            case CacheEntryKind.Absent when found.Fetched is { } answer:
                if (gate.FilterJudges)
                {
                    // The filter let an id through that the catalog does not have, and it cost a catalog request.
                    metrics.FilterFalsePositives.Add(1);
                }

                await GatewayResponses.ReplayAsync(context, answer, AnswerSource.Upstream).ConfigureAwait(false);
                return AnswerSource.Upstream;
            case CacheEntryKind.Absent:
                metrics.CacheNegativeHits.Add(1);
                await GatewayResponses.WriteAbsentAsync(context, id, AnswerSource.NegativeCache).ConfigureAwait(false);
                return AnswerSource.NegativeCache;
            default:
                var now = time.GetUtcNow();
                var source = found.Fetched is not null ? AnswerSource.Upstream : entry.IsStaleAt(now) ? AnswerSource.Stale : AnswerSource.Cache;
                return await HitAsync(context, entry, source).ConfigureAwait(false);
        }
    }

    private async ValueTask<string> HitAsync(HttpContext context, CacheEntry entry, string source)
    {
        if (source == AnswerSource.Cache)
        {
            metrics.CacheHits.Add(1);
        }
        else if (source == AnswerSource.Stale)
        {
            metrics.StaleServed.Add(1);
        }

        await GatewayResponses.ReplayAsync(context, entry, source, time.GetUtcNow()).ConfigureAwait(false);
        return source;
    }

    /// <summary>The client's own request, forwarded as it is and streamed back: nothing cached or shared.</summary>
    private async ValueTask<string> ForwardAsync(HttpContext context, bool spend)
    {
        if (spend && budget.TrySpend(context.Connection.RemoteIpAddress) is { } refused)
        {
            return await HoldAsync(context, refused).ConfigureAwait(false);
        }

        metrics.UpstreamRequests.Add(1);
        context.Response.Headers[AnswerSource.HeaderName] = AnswerSource.Upstream;
        await next(context).ConfigureAwait(false);
        return AnswerSource.Upstream;
    }

    /// <summary>The client is over its budget: 429, nothing forwarded.</summary>
    private async ValueTask<string> HoldAsync(HttpContext context, BudgetRefusal refused)
    {
        metrics.BudgetRejects.Add(1);
        await GatewayResponses.WriteOverBudgetAsync(context, refused).ConfigureAwait(false);
        return AnswerSource.Budget;
    }

    private async ValueTask<string> RejectAsync(HttpContext context, string id)
    {
        metrics.BloomRejects.Add(1);
        await GatewayResponses.WriteAbsentAsync(context, id, AnswerSource.Bloom).ConfigureAwait(false);
        return AnswerSource.Bloom;
    }

    private async ValueTask<string> RefuseAsync(HttpContext context)
    {
        metrics.InvalidRequests.Add(1);
        await GatewayResponses.WriteProblemAsync(context, StatusCodes.Status400BadRequest, "Invalid product id",
            $"A product id matches {gate.IdPattern}.").ConfigureAwait(false);
        return AnswerSource.Invalid;
    }
}
