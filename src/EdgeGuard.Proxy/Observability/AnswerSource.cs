namespace EdgeGuard.Proxy.Observability;

/// <summary>What answered a product request: the values of <c>X-EdgeGuard-Source</c> and of the duration metric's label.</summary>
public static class AnswerSource
{
    public const string HeaderName = "X-EdgeGuard-Source";

    /// <summary>Prefix of the gateway's own headers; a client's are never trusted or forwarded.</summary>
    public const string HeaderPrefix = "X-EdgeGuard-";

    public const string Bloom = "bloom";
    public const string Cache = "cache";
    public const string NegativeCache = "negative-cache";
    public const string Upstream = "upstream";

    /// <summary>The catalog failed, and the last good answer (at most FailSafeMaxAge old) was served.</summary>
    public const string Stale = "stale";

    /// <summary>The client is over its budget of requests that reach the catalog (<c>EdgeGuard:ClientBudget</c>): 429.</summary>
    public const string Budget = "budget";

    /// <summary>Metric label only: refused before any lookup.</summary>
    public const string Invalid = "invalid";
}
