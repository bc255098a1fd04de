namespace EdgeGuard.Proxy.Reads;

/// <summary>The catalog failed an id's fetch (5xx, timeout, unreachable): the answer to give instead.</summary>
public sealed class UpstreamFailedException(int status, string detail) : Exception(detail)
{
    public int Status { get; } = status;
}
