using System.IO.Hashing;
using System.Text;
using EdgeGuard.Proxy.HttpCaching;

namespace EdgeGuard.Proxy.SharedCache;

/// <summary>
/// A shared route's cache keys. The primary key is the method, the path and the query with its parameters sorted by
/// name (stably: a repeated parameter's values keep their order), so <c>?b=2&amp;a=1</c> and <c>?a=1&amp;b=2</c> are one
/// entry. An answer that varies (<see cref="VarySpec"/>) is stored under a secondary key: the primary key, the
/// generation of the URL's <c>Vary</c> marker, and a hash of the request's normalised values of the varying headers.
/// </summary>
public static class SharedCacheKey
{
    /// <summary>Stored answers are GET answers; HEAD is answered from them.</summary>
    public static string Primary(PathString pathBase, PathString path, QueryString query) =>
        "GET " + pathBase.Add(path).ToUriComponent() + SortedQuery(query);

    public static string Secondary(string primary, DateTimeOffset generation, string secondaryKey)
    {
        var hash = XxHash128.Hash(Encoding.UTF8.GetBytes(secondaryKey));
        return $"{primary}#{generation.ToUnixTimeMilliseconds()}#{Convert.ToHexString(hash)}";
    }

    /// <summary>The primary key of an absolute URI (an invalidation's target).</summary>
    public static string Primary(Uri uri) => "GET " + uri.AbsolutePath + SortedQuery(new QueryString(uri.Query.Length > 0 ? uri.Query : null));

    private static string SortedQuery(QueryString query)
    {
        if (!query.HasValue || query.Value!.Length <= 1)
        {
            return "";
        }

        var parameters = query.Value[1..].Split('&', StringSplitOptions.RemoveEmptyEntries);
        var sorted = parameters.OrderBy(Name, StringComparer.Ordinal); // OrderBy is stable
        return "?" + string.Join('&', sorted);
    }

    private static string Name(string parameter)
    {
        var equals = parameter.IndexOf('=', StringComparison.Ordinal);
        return equals < 0 ? parameter : parameter[..equals];
    }
}
