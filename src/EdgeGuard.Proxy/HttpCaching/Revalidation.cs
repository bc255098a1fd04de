using Microsoft.Net.Http.Headers;

namespace EdgeGuard.Proxy.HttpCaching;

/// <summary>Revalidating a stored answer (RFC 9111 4.3): the conditional request, and the stored answer freshened by a 304.</summary>
public static class Revalidation
{
    /// <summary>
    /// Header fields a 304 does not replace in the stored answer (3.2): <c>Content-Length</c> describes the stored
    /// body, which the 304 does not carry.
    /// </summary>
    private static readonly HashSet<string> NotUpdated = new(StringComparer.OrdinalIgnoreCase) { HeaderNames.ContentLength };

    /// <summary>The validators to send (4.3.1): the stored <c>ETag</c> as <c>If-None-Match</c> and <c>Last-Modified</c> as <c>If-Modified-Since</c>, as stored.</summary>
    public static (string? IfNoneMatch, string? IfModifiedSince) Validators(IReadOnlyList<KeyValuePair<string, string>> stored) =>
        (HeaderFields.First(stored, HeaderNames.ETag), HeaderFields.First(stored, HeaderNames.LastModified));

    /// <summary>
    /// The stored headers updated from a 304 (4.3.4, 3.2): every field the 304 carries replaces the stored field of
    /// that name (all its lines), the others are kept, in order.
    /// </summary>
    public static List<KeyValuePair<string, string>> Freshen(IReadOnlyList<KeyValuePair<string, string>> stored, IReadOnlyList<KeyValuePair<string, string>> notModified)
    {
        var replaced = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < notModified.Count; i++)
        {
            if (!NotUpdated.Contains(notModified[i].Key))
            {
                replaced.Add(notModified[i].Key);
            }
        }

        var headers = new List<KeyValuePair<string, string>>(stored.Count + notModified.Count);
        for (var i = 0; i < stored.Count; i++)
        {
            if (!replaced.Contains(stored[i].Key))
            {
                headers.Add(stored[i]);
            }
        }

        for (var i = 0; i < notModified.Count; i++)
        {
            if (replaced.Contains(notModified[i].Key))
            {
                headers.Add(notModified[i]);
            }
        }

        return headers;
    }
}
