using Yarp.ReverseProxy.Forwarder;

namespace EdgeGuard.Proxy.Observability;

/// <summary>
/// First in the proxy pipeline (it wraps everything after it): whatever YARP could not forward for a client, on any route (reads passed
/// through, writes, other paths), goes to the one <see cref="ForwarderFailureReporter"/>. YARP's own per-request
/// warning stays below the configured level.
/// </summary>
public sealed class ForwarderFailureMiddleware(RequestDelegate next, ForwarderFailureReporter failures)
{
    public async Task InvokeAsync(HttpContext context)
    {
        await next(context).ConfigureAwait(false);
        if (context.Features.Get<IForwarderErrorFeature>() is { Error: not ForwarderError.None } failure)
        {
            failures.Report(failure.Error, failure.Exception, context.GetReverseProxyFeature().Cluster?.Config.ClusterId ?? "?");
        }
    }
}
