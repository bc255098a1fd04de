using Yarp.ReverseProxy.Forwarder;

namespace EdgeGuard.Proxy.Observability;

/// <summary>
/// Logs what could not be forwarded (by YARP for a client, or by the gateway's own fetches) at a bounded rate
/// per cause (<see cref="LogThrottle"/>): the first failure with its exception, then a line per cause per
/// window with the count suppressed. A client that went away is nobody's fault and is not logged.
/// </summary>
public sealed class ForwarderFailureReporter(LogThrottle throttle, ILogger<ForwarderFailureReporter> logger, EdgeGuardMetrics metrics)
{
    public void Report(ForwarderError error, Exception? exception, string cluster)
    {
        if (error is ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.ResponseBodyCanceled)
        {
            return;
        }

        // A client that broke its own request or answer is not the catalog failing: logged, not counted.
        if (error is not (ForwarderError.RequestBodyClient or ForwarderError.ResponseBodyClient or ForwarderError.UpgradeRequestClient
            or ForwarderError.UpgradeResponseClient or ForwarderError.UpgradeRequestCanceled or ForwarderError.UpgradeResponseCanceled))
        {
            metrics.UpstreamFailed(error is ForwarderError.RequestTimedOut or ForwarderError.UpgradeActivityTimeout ? FailureReasons.Timeout : FailureReasons.Unreachable);
        }

        if (throttle.ShouldLog($"{cluster}:{error}:{exception?.GetType().Name}", out var suppressed))
        {
            LogMessages.UpstreamFailing(logger, cluster, error.ToString(), suppressed, throttle.Window.TotalSeconds, exception);
        }
    }

    /// <summary>The catalog answered a fetch with a 5xx.</summary>
    public void ReportAnswer(int status, string cluster)
    {
        metrics.UpstreamFailed(FailureReasons.ServerError);
        if (throttle.ShouldLog($"{cluster}:answer:{status}", out var suppressed))
        {
            LogMessages.UpstreamAnswered(logger, cluster, status, suppressed, throttle.Window.TotalSeconds);
        }
    }
}
