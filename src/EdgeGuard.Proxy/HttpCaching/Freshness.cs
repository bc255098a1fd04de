using Microsoft.Net.Http.Headers;

namespace EdgeGuard.Proxy.HttpCaching;

/// <summary>
/// How long an answer is fresh and how old it already is when it arrives (RFC 9111 4.2), for a shared cache.
/// </summary>
public static class Freshness
{
    /// <summary>Heuristic freshness is a tenth of the time since <c>Last-Modified</c> (RFC 9111 4.2.2), at most this.</summary>
    public static readonly TimeSpan MaxHeuristicLifetime = TimeSpan.FromDays(1);

    /// <summary>
    /// Status codes heuristically cacheable by default (RFC 9110 15.1): only these (or an answer marked
    /// <c>public</c>) get a heuristic lifetime.
    /// </summary>
    private static readonly HashSet<int> HeuristicallyCacheable = [200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501];

    /// <summary>
    /// The freshness lifetime the origin gave (4.2.1): <c>s-maxage</c>, else <c>max-age</c>, else <c>Expires</c>
    /// minus <c>Date</c> (the time it arrived when <c>Date</c> is missing or invalid); an invalid <c>Expires</c>, or
    /// several different ones, mean already expired. Null when the answer gives none. <paramref name="useExpires"/> is
    /// false when the directives come from <c>CDN-Cache-Control</c>, which replaces <c>Expires</c> too.
    /// </summary>
    public static TimeSpan? ExplicitLifetime(IReadOnlyList<KeyValuePair<string, string>> headers, CacheDirectives directives, DateTimeOffset responseTime, bool useExpires = true)
    {
        if (directives.SharedMaxAge is { } shared)
        {
            return shared;
        }

        if (directives.MaxAge is { } maxAge)
        {
            return maxAge;
        }

        var expiresLines = useExpires ? HeaderFields.Lines(headers, HeaderNames.Expires) : [];
        if (expiresLines.Length == 0)
        {
            return null;
        }

        if (expiresLines.Distinct(StringComparer.Ordinal).Count() > 1 || !HttpDate.TryParse(expiresLines[0], out var expires))
        {
            return TimeSpan.Zero;
        }

        var lifetime = expires - DateValue(headers, responseTime);
        return lifetime > TimeSpan.Zero ? lifetime : TimeSpan.Zero;
    }

    /// <summary>
    /// A heuristic lifetime (4.2.2) for an answer that gives none: a tenth of the time between its
    /// <c>Last-Modified</c> and its <c>Date</c>, at most <see cref="MaxHeuristicLifetime"/>; only for heuristically
    /// cacheable statuses or answers marked <c>public</c>. Zero otherwise.
    /// </summary>
    public static TimeSpan HeuristicLifetime(int status, IReadOnlyList<KeyValuePair<string, string>> headers, CacheDirectives directives, DateTimeOffset responseTime)
    {
        if (!(HeuristicallyCacheable.Contains(status) || directives.Public) ||
            !HttpDate.TryParse(HeaderFields.First(headers, HeaderNames.LastModified), out var lastModified))
        {
            return TimeSpan.Zero;
        }

        var sinceModified = DateValue(headers, responseTime) - lastModified;
        if (sinceModified <= TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }

        var lifetime = sinceModified / 10;
        return lifetime < MaxHeuristicLifetime ? lifetime : MaxHeuristicLifetime;
    }

    public static bool IsHeuristicallyCacheable(int status) => HeuristicallyCacheable.Contains(status);

    /// <summary>
    /// <c>corrected_initial_age</c> (4.2.3): the larger of the apparent age (arrival minus <c>Date</c>, in whole
    /// seconds, never negative) and the <c>Age</c> the answer came with plus the time the request took. The answer's
    /// age when it is served is this plus the time it has been held (<see cref="CurrentAge"/>).
    /// </summary>
    public static TimeSpan InitialAge(IReadOnlyList<KeyValuePair<string, string>> headers, DateTimeOffset requestTime, DateTimeOffset responseTime)
    {
        var apparent = TimeSpan.Zero;
        if (HttpDate.TryParse(HeaderFields.First(headers, HeaderNames.Date), out var date))
        {
            var seconds = Math.Floor((responseTime - date).TotalSeconds);
            apparent = seconds > 0 ? TimeSpan.FromSeconds(seconds) : TimeSpan.Zero;
        }

        var delay = responseTime - requestTime;
        var corrected = AgeValue(headers) + (delay > TimeSpan.Zero ? delay : TimeSpan.Zero);
        return apparent > corrected ? apparent : corrected;
    }

    /// <summary><c>current_age</c> (4.2.3): the initial age plus the time held since it arrived.</summary>
    public static TimeSpan CurrentAge(TimeSpan initialAge, DateTimeOffset responseTime, DateTimeOffset now) =>
        initialAge + (now > responseTime ? now - responseTime : TimeSpan.Zero);

    /// <summary>
    /// The <c>Age</c> the answer came with (5.1): the first value of the first field line, as delta-seconds; a
    /// value that is not one (negative, decimal, with a parameter) is ignored.
    /// </summary>
    public static TimeSpan AgeValue(IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        if (HeaderFields.First(headers, HeaderNames.Age) is not { } line)
        {
            return TimeSpan.Zero;
        }

        var comma = line.IndexOf(',', StringComparison.Ordinal);
        return CacheDirectives.DeltaSeconds((comma < 0 ? line : line[..comma]).Trim()) ?? TimeSpan.Zero;
    }

    /// <summary>The answer's <c>Date</c>, or the time it arrived when it has none (or one that is not an HTTP-date).</summary>
    public static DateTimeOffset DateValue(IReadOnlyList<KeyValuePair<string, string>> headers, DateTimeOffset responseTime) =>
        HttpDate.TryParse(HeaderFields.First(headers, HeaderNames.Date), out var date) ? date : responseTime;
}
