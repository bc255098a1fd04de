using EdgeGuard.Proxy.Configuration;
using EdgeGuard.Proxy.Observability;
using EdgeGuard.Proxy.Reads;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace EdgeGuard.Proxy.SharedCache;

/// <summary>
/// Sends a shared route's GET through the rest of YARP's pipeline (the route's transforms, load balancing, passive
/// health checks) with no client connection involved, and holds the answer whole (up to <c>MaxBodyBytes</c>).
/// A revalidation adds the stored validators. Every status comes back as an answer (the caller decides what a 5xx
/// means); a request that got no answer at all (unreachable, timed out) throws <see cref="UpstreamFailedException"/>.
/// </summary>
public sealed class SharedFetcher(
    IServiceProvider services,
    IOptions<EdgeGuardOptions> options,
    TimeProvider time,
    ForwarderFailureReporter failures,
    EdgeGuardMetrics metrics)
{
    private static readonly HashSet<string> NotKept = new(StringComparer.OrdinalIgnoreCase)
    {
        // Hop-by-hop (RFC 9110 7.6.1), then what describes this message only.
        HeaderNames.Connection, HeaderNames.KeepAlive, HeaderNames.ProxyAuthenticate, HeaderNames.ProxyAuthorization,
        "Proxy-Authentication-Info", HeaderNames.TE, HeaderNames.Trailer, HeaderNames.TransferEncoding, HeaderNames.Upgrade,
        "Proxy-Connection", HeaderNames.ContentLength,
    };

    /// <summary>True for a response header a cache neither stores nor replays (hop-by-hop, <c>Content-Length</c>, EdgeGuard's own).</summary>
    public static bool IsKept(string name) =>
        !NotKept.Contains(name) && !name.StartsWith(AnswerSource.HeaderPrefix, StringComparison.OrdinalIgnoreCase);

    public async Task<FetchedAnswer> FetchAsync(SharedFetchRequest request, string? ifNoneMatch, string? ifModifiedSince, CancellationToken cancellationToken)
    {
        metrics.UpstreamRequests.Add(1);
        var context = new DefaultHttpContext { RequestServices = services, RequestAborted = cancellationToken };
        var outgoing = context.Request;
        outgoing.Method = HttpMethods.Get;
        outgoing.Scheme = request.Scheme;
        outgoing.Host = request.Host;
        outgoing.PathBase = request.PathBase;
        outgoing.Path = request.Path;
        outgoing.QueryString = request.Query;
        foreach (var (name, values) in request.Headers)
        {
            outgoing.Headers[name] = values;
        }

        if (ifNoneMatch is not null)
        {
            outgoing.Headers.IfNoneMatch = ifNoneMatch;
        }

        if (ifModifiedSince is not null)
        {
            outgoing.Headers.IfModifiedSince = ifModifiedSince;
        }

        context.Features.Set<IReverseProxyFeature>(new ReverseProxyFeature
        {
            Route = request.Route,
            Cluster = request.Cluster,
            AllDestinations = request.AllDestinations,
            AvailableDestinations = request.Destinations,
        });
        using var body = new HeldBody(options.Value.Cache.MaxBodyBytes);
        context.Response.Body = body;

        var requestTime = time.GetUtcNow();
        await request.Pipeline(context).ConfigureAwait(false);
        var responseTime = time.GetUtcNow();

        var status = context.Response.StatusCode;
        if (body.Overflowed)
        {
            return new FetchedAnswer(status, Headers(context.Response.Headers), ReadOnlyMemory<byte>.Empty, TooLarge: true, requestTime, responseTime);
        }

        var failure = context.Features.Get<IForwarderErrorFeature>();
        var error = failure?.Error ?? ForwarderError.None;
        if (error != ForwarderError.None)
        {
            failures.Report(error, failure?.Exception, request.Cluster.Config.ClusterId);
            throw error switch
            {
                ForwarderError.RequestTimedOut => new UpstreamFailedException(StatusCodes.Status504GatewayTimeout, "The origin did not answer in time."),
                ForwarderError.NoAvailableDestinations => new UpstreamFailedException(StatusCodes.Status503ServiceUnavailable, "No origin destination is available."),
                _ => new UpstreamFailedException(StatusCodes.Status502BadGateway, $"The origin could not be reached ({error})."),
            };
        }

        return new FetchedAnswer(status, Headers(context.Response.Headers), body.Take(), TooLarge: false, requestTime, responseTime);
    }

    private static List<KeyValuePair<string, string>> Headers(IHeaderDictionary headers)
    {
        var kept = new List<KeyValuePair<string, string>>(headers.Count);
        foreach (var (name, values) in headers)
        {
            if (!IsKept(name))
            {
                continue;
            }

            foreach (var value in values)
            {
                kept.Add(new(name, value ?? ""));
            }
        }

        return kept;
    }

    /// <summary>YARP response transform: drops the header fields the origin's <c>Connection</c> names (RFC 9110 7.6.1),
    /// which a proxy must not forward and a cache must not store.</summary>
    public static ValueTask RemoveConnectionListedHeaders(Yarp.ReverseProxy.Transforms.ResponseTransformContext context)
    {
        if (context.ProxyResponse?.Headers.Connection is { Count: > 0 } listed)
        {
            foreach (var name in listed)
            {
                if (!name.Equals("close", StringComparison.OrdinalIgnoreCase) && !name.Equals("keep-alive", StringComparison.OrdinalIgnoreCase))
                {
                    context.HttpContext.Response.Headers.Remove(name);
                }
            }
        }

        return ValueTask.CompletedTask;
    }

}
