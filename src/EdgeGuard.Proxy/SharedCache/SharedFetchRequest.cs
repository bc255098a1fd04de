using System.Net;
using EdgeGuard.Proxy.Reads;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

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
    FetchTarget Target,
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
        var request = context.Request;
        var headers = new List<KeyValuePair<string, StringValues>>(request.Headers.Count);
        foreach (var header in request.Headers)
        {
            if (Forwards(header.Key, shared))
            {
                headers.Add(header);
            }
        }

        return new SharedFetchRequest(FetchTarget.From(context, pipeline), request.Scheme, request.Host, request.PathBase, request.Path, request.QueryString, headers, context.Connection.RemoteIpAddress);
    }
}
