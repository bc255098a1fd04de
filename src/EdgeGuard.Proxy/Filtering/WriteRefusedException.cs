namespace EdgeGuard.Proxy.Filtering;

/// <summary>
/// Ids that cannot be made safe for reads now (a write's id cannot be made pending, an announcement cannot reach every
/// instance): the write is refused before it is forwarded, the announcement answered 503; nothing is lost.
/// </summary>
public sealed class WriteRefusedException(string reason, TimeSpan retryAfter) : Exception(reason)
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}
