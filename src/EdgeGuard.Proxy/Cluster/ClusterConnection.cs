using EdgeGuard.Proxy.Caching;
using EdgeGuard.Proxy.Configuration;
using StackExchange.Redis;

namespace EdgeGuard.Proxy.Cluster;

/// <summary>
/// The cluster's Redis, as its parts use it: the filter stream (log, membership, leases), the snapshots and the
/// dataset's generation, on the one connection the gateway shares (<see cref="RedisConnection"/>). It owns the
/// cluster's one rule for Redis failures (<see cref="IsOutage"/>): a Redis that does not answer in time, is not
/// reachable or answers an error is an outage, and so is whatever else a Redis command throws (the client library
/// fails the commands in flight on a connection it drops, see <see cref="RedisFailures"/>). The caller either turns it
/// into a refusal (a write, an announcement) or absorbs it (a best-effort message, <see cref="TryAsync"/>).
/// </summary>
public sealed class ClusterConnection(RedisConnection redis, IOptions<EdgeGuardOptions> options)
{
    private FilterStream? _stream;
    private SnapshotStore? _snapshots;
    private string _generation = "";

    public ClusterKeys Keys { get; } = new(options.Value.Cluster.Name);

    /// <summary>True once <see cref="OpenAsync"/> has connected.</summary>
    public bool IsOpen => Volatile.Read(ref _stream) is not null;

    public FilterStream Stream => Volatile.Read(ref _stream) ?? throw new InvalidOperationException("The cluster's connection is not open yet.");

    public SnapshotStore Snapshots => Volatile.Read(ref _snapshots) ?? throw new InvalidOperationException("The cluster's connection is not open yet.");

    /// <summary>The Redis dataset's generation as last read (empty before the first join).</summary>
    public string Generation => Volatile.Read(ref _generation);

    /// <summary>True for what the cluster treats as a Redis outage, for code that wraps Redis commands and nothing else.</summary>
    public static bool IsOutage(Exception exception) => RedisFailures.IsUnanswered(exception);

    /// <summary>Connects (retrying in the background while Redis is away); the subscriber for the cluster's channels.</summary>
    public async Task<ISubscriber> OpenAsync()
    {
        var multiplexer = await redis.ConnectAsync().ConfigureAwait(false);
        Volatile.Write(ref _snapshots, new SnapshotStore(multiplexer, Keys));
        Volatile.Write(ref _stream, new FilterStream(multiplexer, Keys, options.Value.Cluster.LogMaxLength));
        return multiplexer.GetSubscriber();
    }

    /// <summary>Reads (or sets, on a new dataset) the generation; the one in force from now on.</summary>
    public async Task<string> RefreshGenerationAsync()
    {
        var generation = await Stream.EnsureGenerationAsync().ConfigureAwait(false);
        Volatile.Write(ref _generation, generation);
        return generation;
    }

    /// <summary>Runs <paramref name="action"/>, absorbing an outage: false when Redis failed it (nothing else to do).</summary>
    public static async Task<bool> TryAsync(Func<Task> action)
    {
        try
        {
            await action().ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (IsOutage(e))
        {
            return false;
        }
    }
}
