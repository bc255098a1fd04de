using EdgeGuard.Filter;
using EdgeGuard.Proxy.Filtering;
using Microsoft.Net.Http.Headers;

namespace EdgeGuard.Proxy.Reads;

/// <summary>What the gate decided for a product read.</summary>
public enum GateDecision
{
    /// <summary>Not a product id: 400, nothing else touched.</summary>
    Invalid,

    /// <summary>The filter says the product cannot exist: 404 at once.</summary>
    Absent,

    /// <summary>Forward the client's own request, untouched by the cache: a write of the id is in flight, or the
    /// request asks for something a shared cache may not answer (credentials, a range, query parameters).</summary>
    Forward,

    /// <summary>Look in the cache, and fill it on a miss.</summary>
    Lookup,
}

/// <summary>The first look at a product read: the id rule, then the filter, then whether the cache may answer.</summary>
public sealed class ReadGate(ProductFilter filter, ProductIdRule idRule)
{
    public string IdPattern => idRule.Pattern;

    /// <summary>True while the filter's answers count: loaded and trusted. A 404 for an id it let through is then its false positive.</summary>
    public bool FilterJudges => filter.IsReady && filter.IsTrusted;

    public GateDecision Check(HttpRequest request, string? id)
    {
        if (id is null || !idRule.IsValid(id))
        {
            return GateDecision.Invalid;
        }

        // Uncertain: a pending id's answer may change at any moment, so neither a cached answer nor a shared fetch that
        // started before the write can be trusted for it; and an instance that may have missed writes (a cluster
        // member catching up or cut off) trusts no cached answer.
        return filter.Judge(id) switch
        {
            FilterVerdict.Absent => GateDecision.Absent,
            FilterVerdict.Uncertain => GateDecision.Forward,
            _ => IsPersonal(request) ? GateDecision.Forward : GateDecision.Lookup,
        };
    }

    /// <summary>
    /// A request a shared cache must not answer for everyone: credentials (RFC 9111 3.5), a byte range, or a
    /// query string (the cache keys on the id alone). Cookies are not in this list: a product answer that
    /// depends on them says so (private, Set-Cookie, Vary), and then it is not stored.
    /// </summary>
    private static bool IsPersonal(HttpRequest request) =>
        request.QueryString.HasValue ||
        request.Headers.ContainsKey(HeaderNames.Authorization) ||
        request.Headers.ContainsKey(HeaderNames.Range);
}
