namespace EdgeGuard.Proxy.Cluster;

/// <summary>The cluster's log events.</summary>
internal static partial class ClusterLogMessages
{
    [LoggerMessage(201, LogLevel.Information, "Instance {Instance} joined cluster {Cluster} at log position {Position} (filter from the {From}); it trusts its filter once caught up")]
    public static partial void Joined(ILogger logger, string instance, string cluster, string position, string from);

    [LoggerMessage(202, LogLevel.Warning, "Joining the cluster failed (attempt {Attempt}); forwarding everything meanwhile ({Suppressed} more like it not logged)")]
    public static partial void JoinFailed(ILogger logger, int attempt, long suppressed, Exception exception);

    [LoggerMessage(203, LogLevel.Warning, "Reading the filter log failed: {Reason} ({Suppressed} more like it not logged)")]
    public static partial void ReadFailed(ILogger logger, long suppressed, string reason);

    [LoggerMessage(204, LogLevel.Warning, "Cluster heartbeat failed: {Reason}; this instance stops trusting its filter if it cannot renew its membership in time ({Suppressed} more like it not logged)")]
    public static partial void HeartbeatFailed(ILogger logger, long suppressed, string reason);

    [LoggerMessage(205, LogLevel.Warning, "Redis lost cluster {Cluster}'s state (a new generation): loading the filter again, forwarding everything meanwhile")]
    public static partial void GenerationChanged(ILogger logger, string cluster);

    [LoggerMessage(206, LogLevel.Warning, "The filter log no longer reaches back to position {Position} (entries were trimmed while this instance was away): loading the filter again, forwarding everything meanwhile")]
    public static partial void LogGap(ILogger logger, string position);

    [LoggerMessage(207, LogLevel.Information, "Took snapshot {Version} written by {By}: {Items} ids")]
    public static partial void SnapshotTaken(ILogger logger, long version, string by, long items);

    [LoggerMessage(208, LogLevel.Warning, "Snapshot {Version} cannot be used ({Reason}); the filter in use stays")]
    public static partial void SnapshotUnusable(ILogger logger, long version, string reason);

    [LoggerMessage(209, LogLevel.Information, "This instance ({Instance}) leads cluster {Cluster}: it rebuilds, snapshots, polls and settles orphaned writes")]
    public static partial void Leading(ILogger logger, string instance, string cluster);

    [LoggerMessage(210, LogLevel.Information, "Wrote snapshot {Version}: {Items} ids, {Bytes} bytes, at log position {Position}")]
    public static partial void SnapshotWritten(ILogger logger, long version, long items, long bytes, string position);

    [LoggerMessage(211, LogLevel.Warning, "The write {WriteId} of {Id} began and never ended (its writer is gone): settled from the catalog")]
    public static partial void OrphanedWrite(ILogger logger, string writeId, string id);

    [LoggerMessage(213, LogLevel.Warning, "The filter log went back (its last entry {End} is behind {Seen}, which this instance saw): Redis lost entries (a failover to a replica that lacked them?); every instance reloads from the sources, forwarding everything meanwhile")]
    public static partial void LogWentBack(ILogger logger, string end, string seen);

    [LoggerMessage(214, LogLevel.Warning, "{By} reported that the filter log lost entries: reloading from the sources, forwarding everything meanwhile")]
    public static partial void LogLostReported(ILogger logger, string by);

    [LoggerMessage(212, LogLevel.Warning, "Leader duties failed: {Reason} ({Suppressed} more like it not logged)")]
    public static partial void LeaderFailed(ILogger logger, long suppressed, string reason);
}
