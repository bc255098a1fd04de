namespace EdgeGuard.Faults.Deployments;

/// <summary>
/// Where fault 5's Redis comes from. It needs two things this branch does not have yet: a Sentinel topology in
/// tests/EdgeGuard.Testing (a primary, a replica whose replication can be held, three Sentinels) and a gateway that
/// accepts <c>redis-sentinel://</c> URLs. Until both are merged, fault 5 is reported as not runnable, with this reason.
/// </summary>
public static class FailoverRedis
{
    public static Task<(IFailoverRedis? Redis, string? Unavailable)> TryStartAsync() =>
        Task.FromResult<(IFailoverRedis?, string?)>((null,
            "not runnable yet: tests/EdgeGuard.Testing has no Sentinel topology and the gateway does not accept redis-sentinel:// URLs on this branch"));
}
