namespace EdgeGuard.Proxy.Writes;

/// <summary>The write path's log events.</summary>
internal static partial class WriteLogMessages
{
    [LoggerMessage(101, LogLevel.Warning, "The outcome of a write of {Id} is unknown (no answer came back); the id stays pending and the catalog is asked ({Suppressed} more like it were not logged)")]
    public static partial void WriteOutcomeUnknown(ILogger logger, string id, long suppressed);

    [LoggerMessage(102, LogLevel.Debug, "The catalog says {Id} exists: {Exists}; the pending write is settled accordingly")]
    public static partial void WriteOutcomeLearned(ILogger logger, string id, bool exists);

    [LoggerMessage(103, LogLevel.Warning, "Stopping before the outcome of a write of {Id} was learned; a rebuild from the catalog will settle it")]
    public static partial void WriteOutcomeNeverLearned(ILogger logger, string id);

    [LoggerMessage(104, LogLevel.Warning, "Write of {Id} refused before forwarding: {Reason}")]
    public static partial void WriteRefused(ILogger logger, string id, string reason);
}
