using Microsoft.Net.Http.Headers;

namespace EdgeGuard.Proxy.HttpCaching;

/// <summary>Which stored answers an unsafe request makes stale (RFC 9111 4.4).</summary>
public static class Invalidation
{
    /// <summary>True for a method other than GET, HEAD, OPTIONS and TRACE that the origin answered with 2xx or 3xx.</summary>
    public static bool Invalidates(string method, int status) =>
        !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method)) &&
        status is >= 200 and < 400;

    /// <summary>
    /// The URIs whose stored answers are invalidated: the request's own, and those its answer's <c>Location</c> and
    /// <c>Content-Location</c> name (resolved against it), when they have the same origin (scheme, host and port);
    /// another origin's are never touched.
    /// </summary>
    public static List<Uri> Targets(Uri requestUri, IHeaderDictionary response)
    {
        var targets = new List<Uri> { requestUri };
        foreach (var name in new[] { HeaderNames.Location, HeaderNames.ContentLocation })
        {
            var value = response[name].ToString();
            if (value.Length > 0 && Uri.TryCreate(requestUri, value, out var target) &&
                Uri.Compare(target, requestUri, UriComponents.SchemeAndServer, UriFormat.SafeUnescaped, StringComparison.OrdinalIgnoreCase) == 0)
            {
                targets.Add(target);
            }
        }

        return targets;
    }
}
