namespace EdgeGuard.Proxy.HttpCaching;

/// <summary>When a stored answer past its freshness may still be served (RFC 9111 4.2.4, RFC 5861).</summary>
public static class StaleUse
{
    /// <summary>
    /// False when the answer forbids a shared cache to serve it stale at all: <c>must-revalidate</c>,
    /// <c>proxy-revalidate</c>, <c>s-maxage</c> (5.2.2.10) or <c>no-cache</c> (every use is revalidated).
    /// </summary>
    public static bool Allowed(CacheDirectives directives) =>
        !(directives.MustRevalidate || directives.ProxyRevalidate || directives.SharedMaxAge is not null || directives.NoCache);

    /// <summary>How long past its freshness the answer is served while a revalidation runs behind it (<c>stale-while-revalidate</c>).</summary>
    public static TimeSpan WhileRevalidating(CacheDirectives directives) =>
        Allowed(directives) && directives.StaleWhileRevalidate is { } window ? window : TimeSpan.Zero;

    /// <summary>
    /// How long past its freshness the answer is served when the origin fails (5xx, timeout, unreachable): its own
    /// <c>stale-if-error</c>, else <paramref name="configured"/> (the cache tier's fail-safe); never when forbidden.
    /// </summary>
    public static TimeSpan OnError(CacheDirectives directives, TimeSpan configured) =>
        !Allowed(directives) ? TimeSpan.Zero : directives.StaleIfError ?? configured;
}
