namespace EdgeGuard.Faults.Deployments;

/// <summary>Redis as the gateways of one deployment reach it.</summary>
public interface IRedisService : IAsyncDisposable
{
    /// <summary>What it is, in words.</summary>
    string Description { get; }

    /// <summary>
    /// Whether the gateways run on loopback to reach it (it is not behind a faultable link: its own addresses, as
    /// Sentinel or a cluster node announces them, are loopback ones); they reach the catalog through one shared link then.
    /// </summary>
    bool OnLoopback { get; }

    /// <summary>The <c>REDIS_URL</c> of gateway <paramref name="instance"/>.</summary>
    string UrlFor(int instance);

    /// <summary>The instance id holding the cluster's leader lease, or null when none does (or Redis does not answer).</summary>
    Task<string?> LeaderAsync();

    /// <summary>What its processes wrote, by name, for a failed run's record.</summary>
    IEnumerable<(string Name, string Output)> Outputs();

    /// <summary>Kills its processes at once (the run is ending abnormally).</summary>
    void Kill();
}

/// <summary>
/// Redis with a replica and Sentinel, for fault 5: gateways reach it by a <c>redis-sentinel://</c> URL, and the primary
/// can be made to fail over to a replica that lacks the last writes.
/// </summary>
public interface IFailoverRedis : IRedisService
{
    /// <summary>From now on the replica gets none of the primary's writes (it stays up and looks healthy).</summary>
    Task HoldReplicationAsync();

    /// <summary>Kills the primary (SIGKILL) and returns once the Sentinels have promoted the replica and it serves as primary.</summary>
    Task KillPrimaryAndWaitForFailoverAsync();
}
