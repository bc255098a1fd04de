using Microsoft.Net.Http.Headers;

namespace EdgeGuard.Proxy.HttpCaching;

/// <summary>
/// The directives of a <c>Cache-Control</c> header (RFC 9111 5.2), of a response or a request, across all its field
/// lines. The syntax (directives, tokens, quoted strings) is parsed by <see cref="NameValueHeaderValue"/>; the
/// meaning is applied here, directive by directive, so one bad directive does not cost the others (the library's
/// <see cref="CacheControlHeaderValue"/> refuses the whole header for one value it cannot read, such as a max-age
/// above 2^31, which RFC 9111 1.2.2 says to read as 2^31). Names are case-insensitive; a directive given twice
/// counts once, the first time (4.2.1); a delta-seconds value that is not digits (a sign, a decimal point, single
/// quotes) leaves its directive out.
/// </summary>
public sealed class CacheDirectives
{
    /// <summary>The greatest delta-seconds value a cache must be able to represent (RFC 9111 1.2.2).</summary>
    public static readonly TimeSpan MaxDeltaSeconds = TimeSpan.FromSeconds(2147483648);

    public static readonly CacheDirectives None = new();

    public bool NoStore { get; private set; }

    /// <summary><c>no-cache</c>, qualified by field names or not: a shared cache revalidates the whole answer on every use.</summary>
    public bool NoCache { get; private set; }

    /// <summary><c>private</c>, qualified or not: a shared cache does not store the answer.</summary>
    public bool Private { get; private set; }

    public bool Public { get; private set; }

    public bool MustRevalidate { get; private set; }

    public bool ProxyRevalidate { get; private set; }

    public bool MustUnderstand { get; private set; }

    public TimeSpan? MaxAge { get; private set; }

    public TimeSpan? SharedMaxAge { get; private set; }

    /// <summary>RFC 5861: how long past its freshness the answer may be served while it is revalidated in the background.</summary>
    public TimeSpan? StaleWhileRevalidate { get; private set; }

    /// <summary>RFC 5861: how long past its freshness the answer may be served when the origin fails.</summary>
    public TimeSpan? StaleIfError { get; private set; }

    /// <summary>Request only: <c>only-if-cached</c>.</summary>
    public bool OnlyIfCached { get; private set; }

    /// <summary>Request only: <c>max-stale</c> (<see cref="MaxDeltaSeconds"/> when it has no value).</summary>
    public TimeSpan? MaxStale { get; private set; }

    /// <summary>Request only: <c>min-fresh</c>.</summary>
    public TimeSpan? MinFresh { get; private set; }

    /// <summary>Any directive at all was read.</summary>
    public bool IsEmpty { get; private set; } = true;

    public static CacheDirectives Parse(IList<string> fieldLines)
    {
        if (fieldLines.Count == 0 || !NameValueHeaderValue.TryParseList(fieldLines, out var parsed) || parsed.Count == 0)
        {
            return None;
        }

        var directives = new CacheDirectives();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var directive in parsed)
        {
            var name = directive.Name.ToString();
            if (!seen.Add(name))
            {
                continue;
            }

            directives.IsEmpty = false;
            switch (name.ToLowerInvariant())
            {
                case "no-store": directives.NoStore = true; break;
                case "no-cache": directives.NoCache = true; break;
                case "private": directives.Private = true; break;
                case "public": directives.Public = true; break;
                case "must-revalidate": directives.MustRevalidate = true; break;
                case "proxy-revalidate": directives.ProxyRevalidate = true; break;
                case "must-understand": directives.MustUnderstand = true; break;
                case "only-if-cached": directives.OnlyIfCached = true; break;
                case "max-age": directives.MaxAge = DeltaSeconds(directive.Value); break;
                case "s-maxage": directives.SharedMaxAge = DeltaSeconds(directive.Value); break;
                case "stale-while-revalidate": directives.StaleWhileRevalidate = DeltaSeconds(directive.Value); break;
                case "stale-if-error": directives.StaleIfError = DeltaSeconds(directive.Value); break;
                case "min-fresh": directives.MinFresh = DeltaSeconds(directive.Value); break;
                case "max-stale":
                    directives.MaxStale = directive.Value.HasValue ? DeltaSeconds(directive.Value) : MaxDeltaSeconds;
                    break;
            }
        }

        return directives;
    }

    /// <summary>RFC 9111 1.2.2 delta-seconds: digits only (a quoted form is accepted), read as 2^31 when larger.</summary>
    public static TimeSpan? DeltaSeconds(Microsoft.Extensions.Primitives.StringSegment value)
    {
        if (!value.HasValue)
        {
            return null;
        }

        var text = HeaderUtilities.RemoveQuotes(value);
        if (text.Length == 0)
        {
            return null;
        }

        for (var i = 0; i < text.Length; i++)
        {
            if (!char.IsAsciiDigit(text[i]))
            {
                return null;
            }
        }

        return HeaderUtilities.TryParseNonNegativeInt64(text, out var seconds) && seconds < (long)MaxDeltaSeconds.TotalSeconds
            ? TimeSpan.FromSeconds(seconds)
            : MaxDeltaSeconds;
    }
}
