namespace EdgeGuard.Proxy.Caching;

/// <summary>
/// Whether an exception thrown by a Redis command means the command went unanswered (Redis unreachable, slow, or the
/// connection dropped), for code that wraps Redis commands and nothing else. StackExchange.Redis throws
/// <c>RedisException</c> (connection, timeout) or <see cref="TimeoutException"/>, and, when it drops a connection that
/// stopped answering, completes the commands still in flight as cancelled (<see cref="TaskCanceledException"/>) or,
/// racing the drop, with its pipe's <see cref="InvalidOperationException"/> ("Reading is not allowed after reader was
/// completed"). Whatever it throws, the command's outcome is unknown, as on a timeout; only a cancellation the caller
/// asked for is not Redis failing.
/// </summary>
public static class RedisFailures
{
    /// <summary>True unless <paramref name="exception"/> is a cancellation <paramref name="callerToken"/> asked for.</summary>
    public static bool IsUnanswered(Exception exception, CancellationToken callerToken = default) =>
        !(exception is OperationCanceledException && callerToken.IsCancellationRequested);
}
