using System.Net;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Model;

namespace EdgeGuard.Proxy.SharedCache;

/// <summary>
/// What a shared route's fetch needs from the client request that started it, copied so nothing refers to that
/// request once it has ended (a fetch may outlive it: an eager refresh, a fetch finished in the background). The
/// fetch is the client's own GET (its end-to-end headers, so what the origin sees is what the client sent), less what
/// the cache answers itself or does not let one client decide for everyone: its conditionals and range (the cache
/// sends its own validators), its <c>Accept-Encoding</c> (the cache holds identity bodies, fit for every client),
/// hop-by-hop headers and EdgeGuard's own. A fetch shared with other requests also leaves out the client's
/// <c>Cookie</c>: what it gets back may be handed to everyone, so it must be what anyone would get. A request's own
/// fetch (not shared) keeps it.
/// </summary>
public sealed record SharedFetchRequest(
    RequestDelegate Pipeline,
    RouteModel Route,
    ClusterModel Cluster,
    IReadOnlyList<DestinationState> AllDestinations,
    IReadOnlyList<DestinationState> Destinations,
    string Scheme,
    HostString Host,
    PathString PathBase,
    PathString Path,
    QueryString Query,
    IReadOnlyList<KeyValuePair<string, StringValues>> Headers,
    IPAddress? Client)
{
    private static readonly HashSet<string> NotForwarded = new(StringComparer.OrdinalIgnoreCase)
    {
        HeaderNames.Connection, HeaderNames.KeepAlive, HeaderNames.ProxyAuthorization, HeaderNames.TE, HeaderNames.Trailer,
        HeaderNames.TransferEncoding, HeaderNames.Upgrade, "Proxy-Connection", HeaderNames.Host, HeaderNames.ContentLength,
        HeaderNames.IfNoneMatch, HeaderNames.IfModifiedSince, HeaderNames.IfMatch, HeaderNames.IfUnmodifiedSince, HeaderNames.IfRange,
        HeaderNames.Range, HeaderNames.AcceptEncoding,
    };

    /// <summary>True when a fetch shared with other requests sends the client's <paramref name="name"/> header to the origin.</summary>
    public static bool Forwards(string name) => Forwards(name, shared: true);

    private static bool Forwards(string name, bool shared) =>
        !NotForwarded.Contains(name) && !name.StartsWith(Observability.AnswerSource.HeaderPrefix, StringComparison.OrdinalIgnoreCase) &&
        !(shared && name.Equals(HeaderNames.Cookie, StringComparison.OrdinalIgnoreCase));

    /// <param name="context">The client's request.</param>
    /// <param name="pipeline">The rest of YARP's pipeline.</param>
    /// <param name="shared">True for a fetch whose answer may serve other requests (no <c>Cookie</c>).</param>
    public static SharedFetchRequest From(HttpContext context, RequestDelegate pipeline, bool shared)
    {
        var proxy = context.GetReverseProxyFeature();
        var request = context.Request;
        var headers = new List<KeyValuePair<string, StringValues>>(request.Headers.Count);
        foreach (var header in request.Headers)
        {
            if (Forwards(header.Key, shared))
            {
                headers.Add(header);
            }
        }

        return new SharedFetchRequest(pipeline, proxy.Route, proxy.Cluster, proxy.AllDestinations, proxy.AvailableDestinations,
            request.Scheme, request.Host, request.PathBase, request.Path, request.QueryString, headers, context.Connection.RemoteIpAddress);
    }
}

/// <summary>The origin's answer to a shared route's fetch.</summary>
/// <param name="StatusCode">The origin's status.</param>
/// <param name="Headers">Its end-to-end headers in order, <c>Date</c>, <c>Age</c> and <c>Set-Cookie</c> included (hop-by-hop
/// ones, those its <c>Connection</c> names, <c>Content-Length</c> and EdgeGuard's own are not).</param>
/// <param name="Body">The whole body, or empty when <paramref name="TooLarge"/>.</param>
/// <param name="TooLarge">The body outgrew <c>EdgeGuard:Cache:MaxBodyBytes</c> and was not held.</param>
/// <param name="RequestTime">When the fetch was sent.</param>
/// <param name="ResponseTime">When the answer arrived.</param>
public sealed record FetchedAnswer(
    int StatusCode,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    ReadOnlyMemory<byte> Body,
    bool TooLarge,
    DateTimeOffset RequestTime,
    DateTimeOffset ResponseTime);
