using StackExchange.Redis;

namespace EdgeGuard.Proxy.Caching;

/// <summary>
/// Whether an exception from a Redis command means Redis did not answer it (unreachable, slow, or the connection
/// dropped). StackExchange.Redis throws <see cref="RedisException"/> (connection, timeout) or
/// <see cref="TimeoutException"/>, and completes the commands still in flight as cancelled
/// (<see cref="TaskCanceledException"/>) when it drops a connection that stopped answering: on a partition, the commands
/// sent in the last timeout before the drop. A cancellation the caller asked for is not a Redis failure.
/// </summary>
public static class RedisFailures
{
    public static bool IsUnanswered(Exception exception, CancellationToken callerToken = default) =>
        exception is RedisException or TimeoutException ||
        (exception is OperationCanceledException && !callerToken.IsCancellationRequested);
}
