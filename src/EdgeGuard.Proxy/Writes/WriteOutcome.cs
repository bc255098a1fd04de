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
        var error = context.Features.Get<IForwarderErrorFeature>()?.Error ?? ForwarderError.None;
        return error switch
        {
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
}
