using System.Text.Json.Serialization;
using EdgeGuard.Filter;
using EdgeGuard.Proxy.Cluster;

namespace EdgeGuard.Proxy.Admin;

/// <summary>The body of <c>GET /bloom/stats</c> (snake_case on the wire, per the contract).</summary>
public sealed record BloomStats(
    long BitArraySize,
    int HashFunctionCount,
    long ExpectedItems,
    double FalsePositiveRate,
    double ActualFalsePositiveRate,
    long CurrentItems,
    double EstimatedFalsePositiveRate,
    long MemoryBytes,
    double FillRatio,
    bool Ready,
    string InstanceId,
    int ClusterInstances,
    long SyncLagMs,
    string Snapshot,
    string Layout)
{
    /// <param name="items">Distinct ids the filter holds by construction (see <c>ProductFilter.Items</c>).</param>
    /// <param name="snapshot">What became of the snapshot found at start (see <c>SnapshotState.Name</c>).</param>
    public static BloomStats Of(BloomFilter filter, long items, bool ready, ClusterView cluster, string snapshot) => new(
        filter.BitCount,
        filter.HashCount,
        filter.ExpectedItems,
        filter.FalsePositiveRate,
        filter.ActualFalsePositiveRate,
        items,
        ready ? filter.FalsePositiveRateAt(items) : 0,
        filter.MemoryBytes,
        ready ? filter.FillRatio : 0,
        ready,
        cluster.InstanceId,
        cluster.Instances,
        (long)cluster.SyncLag.TotalMilliseconds,
        snapshot,
        Configuration.BloomLayoutSetting.Name(filter.Layout));
}


/// <summary>The body of a successful <c>POST /bloom/ids</c>.</summary>
public sealed record BloomIdsResult(long Added);

/// <summary>The body of a successful <c>POST /bloom/reload</c>.</summary>
public sealed record BloomReloadResult(long Items, double DurationMs, BloomStats Stats);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(BloomStats))]
[JsonSerializable(typeof(BloomReloadResult))]
[JsonSerializable(typeof(BloomIdsResult))]
[JsonSerializable(typeof(string[]))]
internal sealed partial class BloomJsonContext : JsonSerializerContext;
