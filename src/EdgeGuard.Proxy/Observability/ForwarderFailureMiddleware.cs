using Yarp.ReverseProxy.Forwarder;

namespace EdgeGuard.Proxy.Observability;

/// <summary>
/// In the proxy pipeline right after <see cref="Reads.ProductReadMiddleware"/>, ahead of everything that can forward
/// (it wraps all of it): whatever YARP could not forward for a client, on any route (reads passed through, writes,
/// shared routes, other paths), goes to the one <see cref="ForwarderFailureReporter"/>. YARP's own per-request warning
/// stays below the configured level. A product read the cache answers never reaches it; the gateway's own fetches pass
/// it unwrapped, since <see cref="Reads.OriginExchange"/> reports theirs.
/// </summary>
public sealed class ForwarderFailureMiddleware(RequestDelegate next, ForwarderFailureReporter failures)
{
    public Task InvokeAsync(HttpContext context) =>
        Reads.FetchContext.IsFetch(context) ? next(context) : ForwardAsync(context);

    private async Task ForwardAsync(HttpContext context)
    {
        await next(context).ConfigureAwait(false);
        if (context.Features.Get<IForwarderErrorFeature>() is { Error: not ForwarderError.None } failure)
        {
            failures.Report(failure.Error, failure.Exception, context.GetReverseProxyFeature().Cluster?.Config.ClusterId ?? "?");
        }
    }
}
