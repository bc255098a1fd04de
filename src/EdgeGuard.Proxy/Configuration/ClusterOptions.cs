using System.ComponentModel.DataAnnotations;

namespace EdgeGuard.Proxy.Configuration;

/// <summary>The <c>EdgeGuard:Cluster</c> section: gateways that share one <c>REDIS_URL</c> form one cluster.</summary>
public sealed class ClusterOptions
{
    /// <summary>Names the cluster's keys in Redis (all under the hash tag <c>{Name}</c>) and its channels, so
    /// several clusters can share one Redis.</summary>
    [Required, RegularExpression("^[A-Za-z0-9_.-]{1,64}$", ErrorMessage = "EdgeGuard:Cluster:Name is 1 to 64 letters, digits, '_', '.' or '-'.")]
    public string Name { get; set; } = "edgeguard";

    /// <summary>This instance's id in the cluster (env <c>EDGEGUARD_INSTANCE_ID</c>); default host name and port.</summary>
    public string? InstanceId { get; set; }

    /// <summary>How often a member renews its membership and reports how far it applied the log.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A member that has not renewed its membership for this long is dropped, and stops trusting its own
    /// filter and cache at the same moment: writes may then complete without it. Writes wait up to this long for a
    /// member that died without leaving.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan MembershipTtl { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a write (or an announcement of ids) waits for every live member to confirm it before it
    /// is refused with 503.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan AnnounceTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often the log is read when no doorbell rang (pub/sub is a hint; the stream is the truth).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:10")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Entries the log keeps at least (XADD MAXLEN ~): how far back an instance may fall and still catch up.</summary>
    [Range(1_000, 100_000_000)]
    public int LogMaxLength { get; set; } = 100_000;

    /// <summary>A write begun this long ago and never ended (its writer died) is settled by the leader, from what
    /// the catalog says.</summary>
    [Range(typeof(TimeSpan), "00:00:05", "01:00:00")]
    public TimeSpan WriteDeadline { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The leader's lease (rebuilds, snapshots, polls, settling orphaned writes); renewed at a third of it.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan LeaderLeaseTtl { get; set; } = TimeSpan.FromSeconds(15);
}
