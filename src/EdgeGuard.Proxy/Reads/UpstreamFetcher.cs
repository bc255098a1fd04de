using EdgeGuard.Proxy.Caching;
using EdgeGuard.Proxy.Configuration;
using EdgeGuard.Proxy.Observability;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace EdgeGuard.Proxy.Reads;



/// <summary>
/// Fetches a product from the catalog on behalf of everyone waiting for it: the gateway's own GET, through
/// the rest of YARP's pipeline (so the route's transforms, load balancing and passive health checks apply),
/// with the answer held back whole (up to <c>MaxBodyBytes</c>) and no client connection involved. The request
/// carries no cookies, credentials, conditionals or Accept-Encoding of any client: what it gets back may be
/// shared with all of them. Failures are thrown as <see cref="UpstreamFailedException"/> (never cached).
/// </summary>
public sealed class UpstreamFetcher(
    IServiceProvider services,
    IOptions<EdgeGuardOptions> options,
    TimeProvider time,
    CommitPositions commits,
    ForwarderFailureReporter failures,
    EdgeGuardMetrics metrics)
{
    private static readonly HashSet<string> NotReplayed = new(StringComparer.OrdinalIgnoreCase)
    {
        // Hop-by-hop (RFC 9110 7.6.1), then what the gateway sets itself.
        HeaderNames.Connection, HeaderNames.KeepAlive, HeaderNames.ProxyAuthenticate, HeaderNames.ProxyAuthorization,
        HeaderNames.TE, HeaderNames.Trailer, HeaderNames.TransferEncoding, HeaderNames.Upgrade, "Proxy-Connection",
        HeaderNames.ContentLength, HeaderNames.Date, HeaderNames.Age,
    };

    public async Task<UpstreamAnswer> FetchAsync(FetchRequest request, CancellationToken cancellationToken)
    {
        metrics.UpstreamRequests.Add(1);
        var position = commits.Applied;
        var context = new DefaultHttpContext { RequestServices = services, RequestAborted = cancellationToken };
        var outgoing = context.Request;
        outgoing.Method = HttpMethods.Get;
        outgoing.Scheme = request.Scheme;
        outgoing.Host = request.Host;
        outgoing.Path = request.Path;
        if (!StringValues.IsNullOrEmpty(request.Accept))
        {
            outgoing.Headers.Accept = request.Accept;
        }

        if (!StringValues.IsNullOrEmpty(request.AcceptLanguage))
        {
            outgoing.Headers.AcceptLanguage = request.AcceptLanguage;
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

        await request.Pipeline(context).ConfigureAwait(false);

        var status = context.Response.StatusCode;
        var fetchedAt = time.GetUtcNow();
        if (body.Overflowed)
        {
            return new UpstreamAnswer(status, Headers(context.Response.Headers), ReadOnlyMemory<byte>.Empty, TooLarge: true, fetchedAt, position);
        }

        var failure = context.Features.Get<IForwarderErrorFeature>();
        var error = failure?.Error ?? ForwarderError.None;
        if (error != ForwarderError.None)
        {
            failures.Report(error, failure?.Exception, request.Cluster.Config.ClusterId);
            throw error switch
            {
                ForwarderError.RequestTimedOut => new UpstreamFailedException(StatusCodes.Status504GatewayTimeout, "The catalog did not answer in time."),
                ForwarderError.NoAvailableDestinations => new UpstreamFailedException(StatusCodes.Status503ServiceUnavailable, "No catalog destination is available."),
                _ => new UpstreamFailedException(StatusCodes.Status502BadGateway, $"The catalog could not be reached ({error})."),
            };
        }

        if (status >= 500)
        {
            failures.ReportAnswer(status, request.Cluster.Config.ClusterId);
            throw new UpstreamFailedException(status is 503 or 504 ? status : StatusCodes.Status502BadGateway, $"The catalog answered {status}.");
        }

        return new UpstreamAnswer(status, Headers(context.Response.Headers), body.Take(), TooLarge: false, fetchedAt, position);
    }

    private static List<KeyValuePair<string, string>> Headers(IHeaderDictionary headers)
    {
        var kept = new List<KeyValuePair<string, string>>(headers.Count);
        foreach (var (name, values) in headers)
        {
            if (NotReplayed.Contains(name) || name.StartsWith(AnswerSource.HeaderPrefix, StringComparison.OrdinalIgnoreCase))
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
}
