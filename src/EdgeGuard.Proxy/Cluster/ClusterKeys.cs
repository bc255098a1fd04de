using StackExchange.Redis;

namespace EdgeGuard.Proxy.Cluster;

/// <summary>
/// The cluster's keys and channels in Redis. Every key carries the hash tag <c>{name}</c>, so the scripts and
/// transactions that touch several of them together run on Redis Cluster too (one slot).
/// </summary>
public sealed class ClusterKeys(string clusterName)
{
    private readonly string _tag = "{" + clusterName + "}";

    /// <summary>The filter log: a stream of begin / commit / abort / add / snapshot entries.</summary>
    public RedisKey Log => _tag + ":log";

    /// <summary>Live members: a sorted set scored by when each one's membership expires (Redis time, ms).</summary>
    public RedisKey Members => _tag + ":members";

    /// <summary>Each member's applied log position (a hash: instance id to stream id).</summary>
    public RedisKey Positions => _tag + ":positions";

    /// <summary>A random value set once per Redis dataset: a change means Redis lost the cluster's state.</summary>
    public RedisKey Generation => _tag + ":generation";

    /// <summary>The lease of the instance that rebuilds, snapshots, polls and settles orphaned writes.</summary>
    public RedisKey LeaderLease => _tag + ":lease:leader";

    /// <summary>Who reported the last loss of log entries (a key with a TTL: one report per loss).</summary>
    public RedisKey LostReport => _tag + ":lost";

    /// <summary>The cluster's filter key (hex), made once when no <c>EDGEGUARD_FILTER_KEY</c> is set.</summary>
    public RedisKey FilterKey => _tag + ":filter-key";

    /// <summary>The current snapshot's manifest (a hash).</summary>
    public RedisKey Snapshot => _tag + ":snapshot";

    /// <summary>Snapshot versions are numbered by this counter.</summary>
    public RedisKey SnapshotVersion => _tag + ":snapshot:version";

    public RedisKey SnapshotChunk(long version, int index) => $"{_tag}:snapshot:{version}:{index}";

    /// <summary>Rung after each append, so readers need not wait for their next poll.</summary>
    public RedisChannel Doorbell => RedisChannel.Literal(_tag + ":log:doorbell");

    /// <summary>Members say here that they applied the log up to a position.</summary>
    public RedisChannel Applied => RedisChannel.Literal(_tag + ":log:applied");
}
