namespace EdgeGuard.Proxy.Observability;

/// <summary>The gateway's structured log events.</summary>
internal static partial class LogMessages
{
    [LoggerMessage(1, LogLevel.Information, "Bloom filter loaded: {Items} ids in {DurationMs:F0} ms; rejecting ids it has never seen from now on")]
    public static partial void FilterLoaded(ILogger logger, long items, double durationMs);

    [LoggerMessage(2, LogLevel.Warning, "Bloom filter load attempt {Attempt} failed; retrying in {DelayMs:F0} ms (nothing is rejected until it loads)")]
    public static partial void FilterLoadFailed(ILogger logger, int attempt, double delayMs, Exception? exception);

    [LoggerMessage(3, LogLevel.Error, "Bloom filter reload failed; the filter in use stays")]
    public static partial void FilterReloadFailed(ILogger logger, Exception exception);

    [LoggerMessage(4, LogLevel.Information, "Products file {Path}: {Ids} ids, {Invalid} invalid lines skipped (first at lines: {FirstInvalidLines})")]
    public static partial void ProductsFileLoaded(ILogger logger, string path, long ids, long invalid, string firstInvalidLines);

    [LoggerMessage(5, LogLevel.Warning, "Products file {Path} does not exist; loading from the catalog only")]
    public static partial void ProductsFileMissing(ILogger logger, string path);

    [LoggerMessage(8, LogLevel.Warning, "The sources hold {Items} ids, more than the {Capacity} the filter was sized for: sizing it for {Resized} ids and reading them again, so the false-positive rate stays the promised one (raise EdgeGuard:Bloom:ExpectedItems to skip the second read)")]
    public static partial void FilterResized(ILogger logger, long items, long capacity, long resized);

    [LoggerMessage(9, LogLevel.Information, "Source {Source}: {Ids} ids read, {Invalid} invalid skipped, in {DurationMs:F0} ms")]
    public static partial void SourceRead(ILogger logger, string source, long ids, long invalid, double durationMs);

    [LoggerMessage(15, LogLevel.Error, "Rebuild refused: the sources gave {Built} ids against {InUse} in the filter in use, a shrink of more than {MaxShrink:P0} (EdgeGuard:Bloom:MaxShrinkShare). The filter in use stays; POST /bloom/reload?force=true overrides")]
    public static partial void FilterShrinkRefused(ILogger logger, long built, long inUse, double maxShrink);

    [LoggerMessage(16, LogLevel.Warning, "Rebuild forced by an admin: {Built} ids against {InUse} in the filter in use")]
    public static partial void FilterShrinkForced(ILogger logger, long built, long inUse);

    [LoggerMessage(17, LogLevel.Warning, "The local filter snapshot {Path} cannot be used ({Reason}); the filter is built from its sources")]
    public static partial void LocalSnapshotUnusable(ILogger logger, string path, string reason);

    [LoggerMessage(18, LogLevel.Error, "The local filter snapshot {Path} could not be written ({Reason}); a restart rebuilds from the sources")]
    public static partial void LocalSnapshotNotSaved(ILogger logger, string path, string reason);

    [LoggerMessage(19, LogLevel.Error, "The local filter journal {Path} could not be appended ({Reason})")]
    public static partial void LocalJournalFailed(ILogger logger, string path, string reason);

    [LoggerMessage(23, LogLevel.Information, "Bloom filter restored from the local snapshot: {Items} ids (and {Journalled} journalled since); rejecting at once, rebuilding from the sources in the background")]
    public static partial void LocalSnapshotLoaded(ILogger logger, long items, int journalled);

    [LoggerMessage(EventId = 24, Message = "Filter snapshot ({Where}): {Status}: {Reason}")]
    private static partial void SnapshotDecided(ILogger logger, LogLevel level, string where, string status, string reason);

    public static void SnapshotDecided(ILogger logger, string where, Filtering.Snapshots.SnapshotStatus status, string reason) =>
        SnapshotDecided(logger, status == Filtering.Snapshots.SnapshotStatus.Restored ? LogLevel.Information : LogLevel.Warning, where, status.ToString(), reason);

    [LoggerMessage(25, LogLevel.Critical, "{Message}")]
    public static partial void ConfigurationFailedAfterStart(ILogger logger, string message);

    [LoggerMessage(10, LogLevel.Warning, "Redis circuit opened: requests skip the shared cache until Redis answers again ({Suppressed} more changes not logged)")]
    public static partial void CacheCircuitOpened(ILogger logger, long suppressed);

    [LoggerMessage(12, LogLevel.Information, "Redis circuit closed: the shared cache is used again ({Suppressed} more changes not logged)")]
    public static partial void CacheCircuitClosed(ILogger logger, long suppressed);

    [LoggerMessage(20, LogLevel.Warning, "The catalog (cluster {Cluster}) answered {Status} to a fetch ({Suppressed} more like it in the last {WindowSeconds} s were not logged)")]
    public static partial void UpstreamAnswered(ILogger logger, string cluster, int status, long suppressed, double windowSeconds);

    [LoggerMessage(22, LogLevel.Warning, "Forwarding to cluster {Cluster} failed: {Error} ({Suppressed} more like it in the last {WindowSeconds} s were not logged)")]
    public static partial void UpstreamFailing(ILogger logger, string cluster, string error, long suppressed, double windowSeconds, Exception? exception);

    [LoggerMessage(21, LogLevel.Information, "Bloom filter reload requested by an admin")]
    public static partial void ReloadRequested(ILogger logger);
}
