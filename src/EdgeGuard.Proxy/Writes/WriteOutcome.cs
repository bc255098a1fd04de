using Yarp.ReverseProxy.Forwarder;

namespace EdgeGuard.Proxy.Writes;

/// <summary>What the catalog did with a forwarded write, as far as the gateway can tell.</summary>
public enum WriteOutcome
{
    /// <summary>It answered 2xx.</summary>
    Accepted,

    /// <summary>It answered something else, or the write never left the gateway.</summary>
    Refused,

    /// <summary>The write may have reached it, but no answer came back (timeout, reset, the client went away).</summary>
    Unknown,
}

public static class WriteOutcomes
{
    /// <summary>Reads the outcome of a write YARP just forwarded.</summary>
    public static WriteOutcome Of(HttpContext context)
    {
        var failure = context.Features.Get<IForwarderErrorFeature>();
        var error = failure?.Error ?? ForwarderError.None;
        return error switch
        {
            // No connection could be made: the write never left the gateway.
            ForwarderError.Request when NeverConnected(failure!.Exception) => WriteOutcome.Refused,
            ForwarderError.None => IsSuccess(context.Response.StatusCode) ? WriteOutcome.Accepted : WriteOutcome.Refused,
            // Nothing was sent: no destination to send it to.
            ForwarderError.NoAvailableDestinations => WriteOutcome.Refused,
            // Once the upstream's status line is in, YARP has copied it before a body error can happen.
            ForwarderError.ResponseBodyClient or ForwarderError.ResponseBodyCanceled when context.Response.HasStarted =>
                IsSuccess(context.Response.StatusCode) ? WriteOutcome.Accepted : WriteOutcome.Refused,
            // Request, RequestTimedOut, RequestCanceled, RequestBody*, Response*, upgrades: it may have arrived.
            _ => WriteOutcome.Unknown,
        };
    }

    public static bool IsSuccess(int status) => status is >= 200 and < 300;

    private static bool NeverConnected(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError })
            {
                return true;
            }
        }

        return false;
    }
}
