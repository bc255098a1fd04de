using System.Text.Json.Serialization;

namespace EdgeGuard.Proxy.Dashboard;

/// <summary>The body of <c>GET /dashboard/data</c>: what the page shows, computed from the gateway's own metrics.</summary>
public sealed record DashboardData(
    string InstanceId,
    double Time,
    string Verdict,
    string VerdictReason,
    IReadOnlyList<string> Sources,
    int RecentWindowSeconds,
    int FalsePositiveWindowSeconds,
    DashboardNow Now,
    DashboardHistory History,
    FilterState Filter,
    CacheState Cache,
    ClusterState Cluster);

/// <summary>The latest values: rates over <see cref="DashboardData.RecentWindowSeconds"/>, the false-positive share over
/// <see cref="DashboardData.FalsePositiveWindowSeconds"/>; null where the window holds nothing to divide by.</summary>
public sealed record DashboardNow(
    double? RequestsPerSecond,
    IReadOnlyDictionary<string, double?> Rates,
    double? CatalogShare,
    double? CatalogRequestsPerSecond,
    double? CatalogRequestsAvoidedPerSecond,
    double CatalogRequestsAvoidedTotal,
    double ProductRequestsTotal,
    double CatalogRequestsTotal,
    double? CatalogErrorsPerSecond,
    double? FalsePositiveShare,
    double FalsePositives,
    double MissingIdRequests,
    double LeakThreshold,
    IReadOnlyList<LatencyRow> Latency,
    double? CacheHitRatio,
    double? DistributedHitShare);

/// <summary>p50 and p99 in seconds over the recent window, from the duration histogram's buckets.</summary>
public sealed record LatencyRow(string Source, double? P50, double? P99, double Requests);

/// <summary>One point per sample (about a second apart); a null marks a gap (no sample for a while).</summary>
public sealed record DashboardHistory(
    IReadOnlyList<double> Time,
    IReadOnlyDictionary<string, IReadOnlyList<double?>> Rates,
    IReadOnlyList<double?> FalsePositiveShare);

/// <param name="MemoryBytes">Bytes of the filter's bit array in use (as <c>memory_bytes</c> in <c>/bloom/stats</c>).</param>
public sealed record FilterState(bool Ready, bool Trusted, double Items, double FillRatio, double EstimatedFalsePositiveRate, double TargetFalsePositiveRate,
    double MemoryBytes);

public sealed record CacheState(bool Distributed, bool CircuitOpen, string? Degradation);

public sealed record ClusterState(bool Clustered, double Instances, double SyncLagSeconds);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(DashboardData))]
internal sealed partial class DashboardJsonContext : JsonSerializerContext;
