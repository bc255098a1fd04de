using EdgeGuard.Proxy.Caching;
using EdgeGuard.Proxy.Observability;
using EdgeGuard.Proxy.Reads;
using Microsoft.Net.Http.Headers;

namespace EdgeGuard.Proxy.SharedCache;

/// <summary>
/// Sends a shared route's GET to its origin (<see cref="OriginExchange"/>); a revalidation adds the stored validators.
/// Every status comes back as an answer (the caller decides what a 5xx means); a request that got no answer at all
/// (unreachable, timed out) throws <see cref="UpstreamFailedException"/>.
/// </summary>
public sealed class SharedFetcher(OriginExchange exchange, EdgeGuardMetrics metrics)
{
    private static readonly HashSet<string> NotKept = new(StringComparer.OrdinalIgnoreCase)
    {
        // Hop-by-hop (RFC 9110 7.6.1), then what describes this message only.
        HeaderNames.Connection, HeaderNames.KeepAlive, HeaderNames.ProxyAuthenticate, HeaderNames.ProxyAuthorization,
        "Proxy-Authentication-Info", HeaderNames.TE, HeaderNames.Trailer, HeaderNames.TransferEncoding, HeaderNames.Upgrade,
        "Proxy-Connection", HeaderNames.ContentLength,
    };

    private static readonly Func<string, bool> Kept = IsKept;

    private static readonly Action<HttpRequest, (SharedFetchRequest Request, string? IfNoneMatch, string? IfModifiedSince)> Describe = static (outgoing, fetch) =>
    {
        var request = fetch.Request;
        outgoing.Scheme = request.Scheme;
        outgoing.Host = request.Host;
        outgoing.PathBase = request.PathBase;
        outgoing.Path = request.Path;
        outgoing.QueryString = request.Query;
        foreach (var (name, values) in request.Headers)
        {
            outgoing.Headers[name] = values;
        }

        if (fetch.IfNoneMatch is not null)
        {
            outgoing.Headers.IfNoneMatch = fetch.IfNoneMatch;
        }

        if (fetch.IfModifiedSince is not null)
        {
            outgoing.Headers.IfModifiedSince = fetch.IfModifiedSince;
        }
    };

    /// <summary>True for a response header a cache neither stores nor replays (hop-by-hop, <c>Content-Length</c>, EdgeGuard's own).</summary>
    public static bool IsKept(string name) =>
        !NotKept.Contains(name) && !name.StartsWith(AnswerSource.HeaderPrefix, StringComparison.OrdinalIgnoreCase);

    public Task<UpstreamAnswer> FetchAsync(SharedFetchRequest request, string? ifNoneMatch, string? ifModifiedSince, CancellationToken cancellationToken)
    {
        metrics.UpstreamRequests.Add(1);
        return exchange.SendAsync(request.Target, (request, ifNoneMatch, ifModifiedSince), Describe, Kept, "origin", position: 0, cancellationToken);
    }

    /// <summary>YARP response transform: drops the header fields the origin's <c>Connection</c> names (RFC 9110 7.6.1),
    /// which a proxy must not forward and a cache must not store.</summary>
    public static ValueTask RemoveConnectionListedHeaders(Yarp.ReverseProxy.Transforms.ResponseTransformContext context)
    {
        // Looked for before it is read: reading Connection parses the header into a collection even when it is absent.
        if (context.ProxyResponse is { } response && response.Headers.NonValidated.Contains(HeaderNames.Connection) &&
            response.Headers.Connection is { Count: > 0 } listed)
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
