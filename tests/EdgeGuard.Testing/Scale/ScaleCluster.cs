using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using EdgeGuard.Filter;
using EdgeGuard.Testing.Gateways;
using EdgeGuard.Testing.Redis;
using StackExchange.Redis;

namespace EdgeGuard.Testing.Scale;

/// <summary>What <see cref="ScaleCluster.RunAsync"/> measured and checked.</summary>
/// <param name="FirstReady">Gateway A, from process start to <c>/health/ready</c>: the full read from PostgreSQL into a filter, with the process's start.</param>
/// <param name="FirstPeak">A's VmHWM once ready: the most it held while building.</param>
/// <param name="Steady">A's VmRSS once its snapshot is in Redis and it idles (median of samples).</param>
/// <param name="Rebuild">An admin reload on A (<c>POST /bloom/reload</c>): a new full read, the swap, the snapshot written.</param>
/// <param name="RebuildPeak">A's VmHWM over the reload (reset just before it).</param>
/// <param name="SteadyAfterRebuild">A's VmRSS once idle again.</param>
/// <param name="Join">Gateway B, from process start to <c>/health/ready</c>, from the cluster's snapshot.</param>
/// <param name="JoinPeak">B's VmHWM once ready.</param>
/// <param name="JoinSteady">B's VmRSS once idle.</param>
/// <param name="FilterBytes">The filter's bit array (<c>memory_bytes</c>).</param>
/// <param name="Items">Distinct ids the filter holds (<c>current_items</c>).</param>
/// <param name="SnapshotBytes">The snapshot in Redis.</param>
/// <param name="JoinedFrom">B's <c>/bloom/stats</c> snapshot status ("restored" when it joined from the snapshot).</param>
/// <param name="FalseNegatives">Ids of the catalog the snapshot's filter says are absent: must be 0.</param>
/// <param name="FalsePositiveShare">Share of absent ids the snapshot's filter lets through.</param>
/// <param name="ConfiguredRate">The false-positive rate the gateway was configured with.</param>
/// <param name="RejectedAbsentShare">Of absent ids requested from B, the share its filter answered 404.</param>
/// <param name="PresentRejected">Present ids requested from B that its filter answered 404: must be 0.</param>
public sealed record ScaleEndToEnd(
    TimeSpan FirstReady, long FirstPeak, long Steady,
    TimeSpan Rebuild, long RebuildPeak, long SteadyAfterRebuild,
    TimeSpan Join, long JoinPeak, long JoinSteady,
    long FilterBytes, long Items, long SnapshotBytes, string JoinedFrom,
    long FalseNegatives, double FalsePositiveShare, double ConfiguredRate, double RejectedAbsentShare, int PresentRejected);

/// <summary>
/// The gateway at catalog scale, end to end, as operators run it: real gateway processes in a cluster on a real Redis,
/// reading a <see cref="ScaleCatalog"/> in PostgreSQL (the SQL source: the full read and the incremental query). Gateway
/// A starts first and builds the filter from the database (it leads, so it writes the cluster's snapshot); its memory
/// is read from <c>/proc</c> when ready, when idle, and over an admin reload. Gateway B then starts and joins from the
/// snapshot. Then the snapshot's filter is checked against every id of the catalog and against absent ids, and B
/// answers absent and present ids over HTTP.
/// </summary>
public static class ScaleCluster
{
    private const string AdminKey = "scale-admin-key";
    private const double FalsePositiveRate = 0.01;
    private const int AbsentChecked = 2_000_000;
    private const int RequestsEach = 500;
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(5);

    /// <param name="catalog">The database the gateways read.</param>
    /// <param name="log">Progress lines (what runs now), for a long run.</param>
    /// <param name="timeout">How long each gateway may take to be ready, and the reload to end.</param>
    public static async Task<ScaleEndToEnd> RunAsync(ScaleCatalog catalog, Action<string> log, TimeSpan timeout)
    {
        await using var redis = await RedisServer.StartAsync();
        var key = BloomFilterKey.NewRandom();

        log($"gateway A: reading {catalog.Ids:N0} ids from PostgreSQL");
        var started = Stopwatch.StartNew();
        await using var first = Gateway(catalog, redis, key, "scale-a").AsProcess();
        await first.WaitUntilReadyAsync(timeout);
        var firstReady = started.Elapsed;
        var firstPeak = ProcessMemory.Read(first.ProcessId).Peak;
        using var admin = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{redis.Port}");
        await Eventually.TrueAsync(async () => await SnapshotVersionAsync(admin) is not null, timeout, "gateway A to write the cluster's snapshot");
        await Task.Delay(Settle);
        var steady = await ProcessMemory.SteadyResidentAsync(first.ProcessId, 5, TimeSpan.FromSeconds(1));

        log("gateway A: admin reload");
        using var firstClient = first.CreateClient();
        firstClient.Timeout = timeout;
        ProcessMemory.ResetPeak(first.ProcessId);
        started.Restart();
        using (var reload = new HttpRequestMessage(HttpMethod.Post, "/bloom/reload"))
        {
            reload.Headers.Add("X-Admin-Key", AdminKey);
            using var reloaded = await firstClient.SendAsync(reload);
            if (!reloaded.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"The reload failed: {(int)reloaded.StatusCode} {await reloaded.Content.ReadAsStringAsync()}");
            }
        }

        var rebuild = started.Elapsed;
        var rebuildPeak = ProcessMemory.Read(first.ProcessId).Peak;
        await Task.Delay(Settle);
        var steadyAfterRebuild = await ProcessMemory.SteadyResidentAsync(first.ProcessId, 5, TimeSpan.FromSeconds(1));
        var stats = await StatsAsync(firstClient);

        log("gateway B: joining from the cluster's snapshot");
        started.Restart();
        await using var second = Gateway(catalog, redis, key, "scale-b").AsProcess();
        await second.WaitUntilReadyAsync(timeout);
        var join = started.Elapsed;
        var joinPeak = ProcessMemory.Read(second.ProcessId).Peak;
        using var secondClient = second.CreateClient();
        var joinedFrom = (await StatsAsync(secondClient)).GetProperty("snapshot").GetString() ?? "";
        await Task.Delay(Settle);
        var joinSteady = await ProcessMemory.SteadyResidentAsync(second.ProcessId, 5, TimeSpan.FromSeconds(1));

        log("checking the snapshot's filter against every id, and gateway B over HTTP");
        var (snapshot, snapshotBytes) = await ReadSnapshotAsync(admin, key);
        var (falseNegatives, falsePositives) = Check(snapshot, catalog.Ids);
        var (rejectedAbsent, presentRejected) = await AskAsync(secondClient, catalog.Ids);

        return new ScaleEndToEnd(firstReady, firstPeak, steady, rebuild, rebuildPeak, steadyAfterRebuild, join, joinPeak, joinSteady,
            stats.GetProperty("memory_bytes").GetInt64(), stats.GetProperty("current_items").GetInt64(), snapshotBytes, joinedFrom,
            falseNegatives, falsePositives, FalsePositiveRate, rejectedAbsent, presentRejected);
    }

    /// <summary>A gateway as an operator runs it at scale: ids from the catalog's database alone, the cluster on Redis
    /// with its default timeouts (not the tests' generous ones), the filter sized for the catalog.</summary>
    private static GatewayBuilder Gateway(ScaleCatalog catalog, RedisServer redis, BloomFilterKey key, string instance) => EdgeGuard.Testing.Gateways.Gateways.Build()
        .WithSql("postgres", catalog.ConnectionString, ScaleCatalog.Query, ScaleCatalog.IncrementalQuery)
        .WithInstanceId(instance)
        .WithSetting("REDIS_URL", redis.Url)
        .WithSetting("EDGEGUARD_FILTER_KEY", key.ToHex())
        .WithSetting("EDGEGUARD_ADMIN_KEY", AdminKey)
        .WithSetting("EdgeGuard:Bloom:ExpectedItems", catalog.Ids.ToString(CultureInfo.InvariantCulture))
        .WithSetting("EdgeGuard:Bloom:FalsePositiveRate", FalsePositiveRate.ToString(CultureInfo.InvariantCulture));

    private static async Task<JsonElement> StatsAsync(HttpClient client) =>
        JsonDocument.Parse(await client.GetStringAsync("/bloom/stats")).RootElement.Clone();

    private static async Task<long?> SnapshotVersionAsync(ConnectionMultiplexer redis) =>
        (long?)await redis.GetDatabase().HashGetAsync("{edgeguard}:snapshot", "version");

    /// <summary>The cluster's snapshot as written to Redis (its chunks end to end), read as a filter with the cluster's key.</summary>
    private static async Task<(BloomFilter Filter, long Bytes)> ReadSnapshotAsync(ConnectionMultiplexer redis, BloomFilterKey key)
    {
        var db = redis.GetDatabase();
        var version = (long)await db.HashGetAsync("{edgeguard}:snapshot", "version");
        var chunks = (int)await db.HashGetAsync("{edgeguard}:snapshot", "chunks");
        using var bytes = new MemoryStream();
        for (var i = 0; i < chunks; i++)
        {
            bytes.Write((byte[])(await db.StringGetAsync($"{{edgeguard}}:snapshot:{version}:{i}"))!);
        }

        bytes.Position = 0;
        return (BloomFilter.ReadFrom(bytes, key), bytes.Length);
    }

    /// <summary>Every id of the catalog (none may be missing) and <see cref="AbsentChecked"/> absent ones.</summary>
    private static (long FalseNegatives, double FalsePositiveShare) Check(BloomFilter filter, long ids)
    {
        Span<char> buffer = stackalloc char[32];
        long missing = 0;
        for (long row = 1; row <= ids; row++)
        {
            missing += filter.MightContain(ScaleCatalog.Id(row, buffer)) ? 0 : 1;
        }

        long letThrough = 0;
        for (long i = 0; i < AbsentChecked; i++)
        {
            letThrough += filter.MightContain(ScaleCatalog.AbsentId(i, buffer)) ? 1 : 0;
        }

        return (missing, (double)letThrough / AbsentChecked);
    }

    /// <summary>Absent and present ids asked of the gateway: the share of absent ones its filter answered, and present ones it refused.</summary>
    private static async Task<(double RejectedAbsentShare, int PresentRejected)> AskAsync(HttpClient client, long ids)
    {
        var random = new Random(23);
        var rejectedAbsent = 0;
        var presentRejected = 0;
        for (var i = 0; i < RequestsEach; i++)
        {
            rejectedAbsent += await RejectedAsync(client, $"NONE-HTTP-{i}") ? 1 : 0;
            presentRejected += await RejectedAsync(client, ScaleCatalog.Id(random.NextInt64(1, ids + 1))) ? 1 : 0;
        }

        return ((double)rejectedAbsent / RequestsEach, presentRejected);
    }

    private static async Task<bool> RejectedAsync(HttpClient client, string id)
    {
        using var response = await client.GetAsync($"/products/{id}");
        return response.StatusCode == HttpStatusCode.NotFound &&
               response.Headers.TryGetValues("X-EdgeGuard-Source", out var sources) && sources.Contains("bloom");
    }
}
