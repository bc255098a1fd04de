namespace EdgeGuard.Proxy.Observability;

/// <summary>Log events of the id sources read from the catalog's database and of their polling (event ids 140-149).</summary>
internal static partial class LogMessages
{
    [LoggerMessage(140, LogLevel.Warning, "Polling id source {Source} failed; retrying in {DelayMs:F0} ms. The filter in use stays, and nothing is lost: the source's cursor moves only after a successful read ({Suppressed} more like it were not logged)")]
    public static partial void IdPollFailed(ILogger logger, string source, double delayMs, long suppressed, Exception exception);

    [LoggerMessage(141, LogLevel.Warning, "Polling id source {Source} still fails after {Attempts} attempts: {Error}; retrying in {DelayMs:F0} ms ({Suppressed} more like it in the last {WindowSeconds} s were not logged)")]
    public static partial void IdPollStillFailing(ILogger logger, string source, int attempts, string error, double delayMs, long suppressed, double windowSeconds);

    [LoggerMessage(142, LogLevel.Information, "Id source {Source} polled again after {Failures} failed attempts; {Learned} new ids learned")]
    public static partial void IdPollResumed(ILogger logger, string source, int failures, long learned);

    [LoggerMessage(143, LogLevel.Information, "Id source {Source} caught up: {Learned} ids read from the start of its incremental query in {DurationMs:F0} ms; polling every {IntervalMs:F0} ms from now on")]
    public static partial void IdPollCaughtUp(ILogger logger, string source, long learned, double durationMs, double intervalMs);

    [LoggerMessage(144, LogLevel.Debug, "Id source {Source}: {Learned} new ids learned in {DurationMs:F1} ms")]
    public static partial void IdsPolled(ILogger logger, string source, long learned, double durationMs);

    [LoggerMessage(145, LogLevel.Information, "The {Provider} id source's queries run on its database")]
    public static partial void SqlQueriesChecked(ILogger logger, string provider);

    [LoggerMessage(146, LogLevel.Warning, "The {Provider} id source cannot be reached at start-up ({Error}); the filter's first load retries it with backoff (nothing is rejected until it loads)")]
    public static partial void SqlUnreachableAtStart(ILogger logger, string provider, string error);
}
