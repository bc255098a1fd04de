namespace EdgeGuard.Proxy.Caching;

/// <summary>What a cached entry stands for.</summary>
public enum CacheEntryKind : byte
{
    /// <summary>The catalog's answer (a 200), to replay: status, end-to-end headers, body.</summary>
    Answer = 1,

    /// <summary>The catalog said the product does not exist (404): a negative entry.</summary>
    Absent = 2,

    /// <summary>The catalog's answer for this id may not be shared (no-store, private, Set-Cookie, too large
    /// to hold, another status): requests go to the catalog each on their own, without waiting for each other
    /// (a "hit-for-pass" marker).</summary>
    PassThrough = 3,

    /// <summary>Shared routes: the answers for this URL vary on request headers (<c>Vary</c>); each variant is stored
    /// under a secondary key. <see cref="CacheEntry.Headers"/> holds the <c>Vary</c> names; <see cref="CacheEntry.FetchedAt"/>
    /// is the marker's generation, part of every secondary key, so variants stored under an older marker are not found.</summary>
    Variants = 4,
}

/// <summary>
/// What the cache holds for one product id. Data only: the Redis bytes are written by
/// <see cref="CacheEntryFormatter"/>, what is stored and for how long by <see cref="ProductCacheRules"/> (product routes) or the HTTP rules (shared routes), and how FusionCache keeps it by <see cref="CachePolicy"/>.
/// </summary>
public sealed class CacheEntry
{
    public CacheEntry(
        CacheEntryKind kind,
        int statusCode,
        IReadOnlyList<KeyValuePair<string, string>> headers,
        ReadOnlyMemory<byte> body,
        DateTimeOffset fetchedAt,
        DateTimeOffset freshUntil,
        long position,
        TimeSpan initialAge = default)
    {
        Kind = kind;
        StatusCode = statusCode;
        Headers = headers;
        Body = body;
        FetchedAt = fetchedAt;
        FreshUntil = freshUntil;
        Position = position;
        InitialAge = initialAge;
    }

    public CacheEntryKind Kind { get; }

    public int StatusCode { get; }

    /// <summary>The catalog's end-to-end headers, in order (hop-by-hop ones, <c>Set-Cookie</c>, <c>Age</c>,
    /// <c>Date</c>, <c>Content-Length</c> and EdgeGuard's own are not kept).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>When the catalog answered (the <c>Age</c> header counts from here).</summary>
    public DateTimeOffset FetchedAt { get; }

    /// <summary>Until when the entry is fresh. Served after it only by fail-safe, while the catalog fails: stale.</summary>
    public DateTimeOffset FreshUntil { get; }

    /// <summary>The write-log position when the fetch started (see <c>CommitPositions</c>).</summary>
    public long Position { get; }

    /// <summary>How old the answer already was when it arrived (RFC 9111 4.2.3 <c>corrected_initial_age</c>); zero for
    /// product answers, whose age counts from when the gateway received them.</summary>
    public TimeSpan InitialAge { get; }

    public bool IsStaleAt(DateTimeOffset now) => now > FreshUntil;

    /// <summary>The answer's age at <paramref name="now"/>: its initial age plus the time it has been held.</summary>
    public TimeSpan AgeAt(DateTimeOffset now) => InitialAge + (now > FetchedAt ? now - FetchedAt : TimeSpan.Zero);

    /// <summary>The value of a header the catalog sent, or null.</summary>
    public string? Header(string name)
    {
        for (var i = 0; i < Headers.Count; i++) // by index: no enumerator allocated on a hit
        {
            if (string.Equals(Headers[i].Key, name, StringComparison.OrdinalIgnoreCase))
            {
                return Headers[i].Value;
            }
        }

        return null;
    }

    public static CacheEntry Absent(DateTimeOffset fetchedAt, DateTimeOffset freshUntil, long position) =>
        new(CacheEntryKind.Absent, StatusCodes.Status404NotFound, [], ReadOnlyMemory<byte>.Empty, fetchedAt, freshUntil, position);

    public static CacheEntry PassThrough(DateTimeOffset fetchedAt, DateTimeOffset freshUntil, long position) =>
        new(CacheEntryKind.PassThrough, 0, [], ReadOnlyMemory<byte>.Empty, fetchedAt, freshUntil, position);
}
