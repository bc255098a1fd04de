using Yarp.ReverseProxy.Forwarder;

namespace EdgeGuard.Proxy.Observability;

/// <summary>
/// One place that logs what YARP could not forward, for every route (reads, writes, pass-through), at a
/// bounded rate per cause (<see cref="LogThrottle"/>): the first failure with its exception, then a line per
/// cause per window with the count suppressed. YARP's own per-request error log stays below Warning.
/// </summary>
public sealed class ForwarderFailureLogging(RequestDelegate next, LogThrottle throttle, ILogger<ForwarderFailureLogging> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        await next(context).ConfigureAwait(false);
        if (context.Features.Get<IForwarderErrorFeature>() is { Error: not ForwarderError.None } failure)
        {
            Report(failure.Error, failure.Exception, context.GetReverseProxyFeature().Cluster?.Config.ClusterId ?? "?");
        }
    }

    /// <summary>Also used for failures of the gateway's own upstream fetches.</summary>
    public void Report(ForwarderError error, Exception? exception, string cluster)
    {
        if (error is ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.ResponseBodyCanceled)
        {
            return; // the client went away: not a fault of anyone's
        }

        var cause = $"{cluster}:{error}:{exception?.GetType().Name}";
        if (throttle.ShouldLog(cause, out var suppressed))
        {
            Log.UpstreamFailing(logger, cluster, error.ToString(), suppressed, throttle.Window.TotalSeconds, exception);
        }
    }
}
