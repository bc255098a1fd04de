namespace EdgeGuard.Proxy.Caching;

/// <summary>The catalog's answer to a fetch, as the gateway's own request received it.</summary>
/// <param name="StatusCode">The catalog's status.</param>
/// <param name="Headers">Its end-to-end headers, <c>Set-Cookie</c> included (for the policy to see); see <see cref="CacheEntry.Headers"/> for what else is left out.</param>
/// <param name="Body">The whole body, or empty when <paramref name="TooLarge"/>.</param>
/// <param name="TooLarge">The body outgrew <c>EdgeGuard:Cache:MaxBodyBytes</c> and was not held.</param>
/// <param name="FetchedAt">When the answer arrived.</param>
/// <param name="Position">The write-log position when the fetch started.</param>
public sealed record UpstreamAnswer(
    int StatusCode,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    ReadOnlyMemory<byte> Body,
    bool TooLarge,
    DateTimeOffset FetchedAt,
    long Position);
