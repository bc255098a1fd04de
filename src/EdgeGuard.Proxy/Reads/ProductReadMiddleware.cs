using System.Diagnostics;
using EdgeGuard.Proxy.Gateway;
using EdgeGuard.Proxy.Observability;

namespace EdgeGuard.Proxy.Reads;

/// <summary>
/// The read flow for routes whose metadata names a product id (<see cref="RouteMetadataKeys.ProductId"/>), in YARP's
/// proxy pipeline ahead of the forwarder: gate (<see cref="ReadGate"/>: the id rule, the filter, may the cache answer)
/// → lookup (<see cref="ProductLookup"/>: the cache, one fetch per id on a miss, the client's budget) → the answer,
/// with <c>X-EdgeGuard-Source</c> saying who gave it and the counters that go with it.
/// </summary>
public sealed class ProductReadMiddleware(
    RequestDelegate next,
    ReadGate gate,
    ProductLookup lookup,
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

        return ReadAsync(context, context.GetRouteValue(idRouteValue) as string);
    }

    private async Task ReadAsync(HttpContext context, string? id)
    {
        var started = Stopwatch.GetTimestamp();
        var source = gate.Check(context.Request, id) switch
        {
            GateDecision.Invalid => await RefuseAsync(context).ConfigureAwait(false),
            GateDecision.Absent => await RejectAsync(context, id!).ConfigureAwait(false),
            GateDecision.Forward => await AnswerAsync(context, id!, lookup.Forward(context.Connection.RemoteIpAddress)).ConfigureAwait(false),
            _ when HttpMethods.IsHead(context.Request.Method) =>
                await AnswerAsync(context, id!, await lookup.FindForHeadAsync(id!, context.Connection.RemoteIpAddress).ConfigureAwait(false)).ConfigureAwait(false),
            _ => await AnswerAsync(context, id!, await lookup.FindAsync(id!, FetchRequest.From(context, next), context.Request).ConfigureAwait(false)).ConfigureAwait(false),
        };
        metrics.ObserveDuration(source, Stopwatch.GetElapsedTime(started));
    }

    private async ValueTask<string> AnswerAsync(HttpContext context, string id, LookupOutcome outcome)
    {
        switch (outcome.Kind)
        {
            case LookupKind.Hit:
                metrics.CacheHits.Add(1);
                await GatewayResponses.ReplayAsync(context, outcome.Entry!, AnswerSource.Cache, time.GetUtcNow()).ConfigureAwait(false);
                return AnswerSource.Cache;
            case LookupKind.Stale:
                metrics.StaleServed.Add(1);
                await GatewayResponses.ReplayAsync(context, outcome.Entry!, AnswerSource.Stale, time.GetUtcNow()).ConfigureAwait(false);
                return AnswerSource.Stale;
            case LookupKind.Fetched:
                await GatewayResponses.ReplayAsync(context, outcome.Entry!, AnswerSource.Upstream, time.GetUtcNow()).ConfigureAwait(false);
                return AnswerSource.Upstream;
            case LookupKind.Negative:
                metrics.CacheNegativeHits.Add(1);
                await GatewayResponses.WriteAbsentAsync(context, id, AnswerSource.NegativeCache).ConfigureAwait(false);
                return AnswerSource.NegativeCache;
            case LookupKind.FetchedAbsent:
                if (gate.FilterJudges)
                {
                    // The filter let an id through that the catalog does not have, and it cost a catalog request.
                    metrics.FilterFalsePositives.Add(1);
                }

                await GatewayResponses.ReplayAsync(context, outcome.Answer!, AnswerSource.Upstream).ConfigureAwait(false);
                return AnswerSource.Upstream;
            case LookupKind.Relayed:
                // This client's own answer: its cookies included.
                await GatewayResponses.ReplayAsync(context, outcome.Answer!, AnswerSource.Upstream, withCookies: true).ConfigureAwait(false);
                return AnswerSource.Upstream;
            case LookupKind.Forward:
                // The client's own request, forwarded as it is and streamed back: nothing cached or shared.
                metrics.UpstreamRequests.Add(1);
                context.Response.Headers[AnswerSource.HeaderName] = AnswerSource.Upstream;
                await next(context).ConfigureAwait(false);
                return AnswerSource.Upstream;
            case LookupKind.OverBudget:
                metrics.BudgetRejects.Add(1);
                await GatewayResponses.WriteOverBudgetAsync(context, outcome.Refusal!.Value).ConfigureAwait(false);
                return AnswerSource.Budget;
            default:
                await GatewayResponses.WriteProblemAsync(context, outcome.Status, "Catalog unavailable", outcome.Detail!, AnswerSource.Upstream).ConfigureAwait(false);
                return AnswerSource.Upstream;
        }
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
