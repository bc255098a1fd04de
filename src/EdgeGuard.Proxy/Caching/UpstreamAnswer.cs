namespace EdgeGuard.Proxy.Caching;

/// <summary>An origin's answer to a fetch (the catalog's, or a shared route's origin's), as the gateway's own request received it.</summary>
/// <param name="StatusCode">The origin's status.</param>
/// <param name="Headers">Its end-to-end headers in order, <c>Set-Cookie</c> included (for the rules to see); which others are
/// left out is the fetcher's choice (see <see cref="CacheEntry.Headers"/>).</param>
/// <param name="Body">The whole body, or empty when <paramref name="TooLarge"/>.</param>
/// <param name="TooLarge">The body outgrew <c>EdgeGuard:Cache:MaxBodyBytes</c> and was not held.</param>
/// <param name="RequestTime">When the fetch was sent.</param>
/// <param name="ResponseTime">When the answer arrived.</param>
/// <param name="Position">The write-log position when the fetch started (see <see cref="CommitPositions"/>).</param>
public sealed record UpstreamAnswer(
    int StatusCode,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    ReadOnlyMemory<byte> Body,
    bool TooLarge,
    DateTimeOffset RequestTime,
    DateTimeOffset ResponseTime,
    long Position)
{
    /// <summary>When the answer arrived (<see cref="ResponseTime"/>).</summary>
    public DateTimeOffset FetchedAt => ResponseTime;
}
