using Microsoft.Net.Http.Headers;

namespace EdgeGuard.Proxy.HttpCaching;

/// <summary>A client's conditional GET against a stored answer (RFC 9111 4.3.2, RFC 9110 13.1): may the cache answer 304?</summary>
public static class Preconditions
{
    /// <summary>
    /// True when the client's <c>If-None-Match</c> matches the stored <c>ETag</c> (weak comparison; <c>*</c> matches
    /// any), or, without <c>If-None-Match</c>, its <c>If-Modified-Since</c> is no earlier than the stored
    /// <c>Last-Modified</c> (else <paramref name="lastModifiedFallback"/>, when given: the stored <c>Date</c> or the time
    /// it arrived). Only a 2xx answer is compared (RFC 9110 13.2.1).
    /// </summary>
    public static bool IsNotModified(IHeaderDictionary request, int storedStatus, IReadOnlyList<KeyValuePair<string, string>> stored, DateTimeOffset? lastModifiedFallback = null)
    {
        if (storedStatus is < 200 or >= 300)
        {
            return false;
        }

        if (request.IfNoneMatch.Count > 0)
        {
            if (HeaderFields.First(stored, HeaderNames.ETag) is not { } etagText || !EntityTagHeaderValue.TryParse(etagText, out var etag) ||
                !EntityTagHeaderValue.TryParseList(request.IfNoneMatch, out var candidates))
            {
                return false;
            }

            return candidates.Any(candidate => candidate.Equals(EntityTagHeaderValue.Any) || candidate.Compare(etag, useStrongComparison: false));
        }

        if (request.IfModifiedSince.Count == 0 || !HeaderUtilities.TryParseDate(request.IfModifiedSince.ToString(), out var since))
        {
            return false;
        }

        if (HeaderFields.First(stored, HeaderNames.LastModified) is { } lastModifiedText)
        {
            return HeaderUtilities.TryParseDate(lastModifiedText, out var lastModified) && lastModified <= since;
        }

        return lastModifiedFallback is { } fallback && fallback <= since;
    }
}
