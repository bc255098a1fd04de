using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EdgeGuard.Testing.Faults;
using StackExchange.Redis;

namespace EdgeGuard.Proxy.Tests.Cluster;

/// <summary>Cluster tests run one class at a time: each starts a Redis, a catalog and three gateway processes.</summary>
[CollectionDefinition(Name)]
public sealed class ClusterCollection
{
    public const string Name = "Cluster";
}

/// <summary>
/// A cluster as operators run one: a real redis-server (or Redis behind Sentinels, or a Redis Cluster, which the
/// caller starts), the real catalog (SQLite, real HTTP), and gateway instances as real processes sharing
/// <c>REDIS_URL</c> (so an instance can be killed with SIGKILL or frozen with SIGSTOP). Timings are shortened
/// (heartbeat 200 ms, membership 2 s) so outages play out in seconds.
/// </summary>
public sealed class ClusterTestBed : IAsyncDisposable
{
    public const string AdminKey = "cluster-admin-key";
    public static readonly TimeSpan MembershipTtl = TimeSpan.FromSeconds(2);

    private readonly List<GatewayProcess> _instances = [];
    private readonly RedisServer? _redis;

    private ClusterTestBed(string redisUrl, RedisServer? redis, CatalogServer catalog, ConnectionMultiplexer admin)
    {
        RedisUrl = redisUrl;
        _redis = redis;
        Catalog = catalog;
        Admin = admin;
    }

    /// <summary>The one redis-server the bed started (not there when it runs on Redis the caller started).</summary>
    public RedisServer Redis => _redis ?? throw new InvalidOperationException("This bed runs on Redis its caller started, not on a redis-server of its own.");

    /// <summary>The instances' <c>REDIS_URL</c>.</summary>
    public string RedisUrl { get; }

    public CatalogServer Catalog { get; }

    public ConnectionMultiplexer Admin { get; }

    public IReadOnlyList<GatewayProcess> Instances => _instances;

    /// <param name="upstreamUrl">Another catalog than the real one (a WireMock stand-in that must serve <c>/products/ids</c>).</param>
    /// <param name="catalogLink">Put a fault proxy between every instance and the catalog (<see cref="CatalogLink"/>).</param>
    public static async Task<ClusterTestBed> StartAsync(IEnumerable<string> catalogIds, int instances = 3, IDictionary<string, string?>? settings = null, string? upstreamUrl = null,
        bool catalogLink = false)
    {
        var redis = await RedisServer.StartAsync();
        try
        {
            return await StartAsync(redis.Url, new ConfigurationOptions { EndPoints = { { IPAddress.Loopback, redis.Port } } }, redis, catalogIds, instances, settings, upstreamUrl,
                catalogLink);
        }
        catch
        {
            await redis.DisposeAsync();
            throw;
        }
    }

    /// <summary>A cluster on Redis the caller started and disposes (Sentinels, a Redis Cluster).</summary>
    /// <param name="redisUrl">The instances' <c>REDIS_URL</c>.</param>
    /// <param name="admin">How the bed's own connection reaches that Redis (endpoints, and the service name behind Sentinels).</param>
    public static Task<ClusterTestBed> StartOnAsync(string redisUrl, ConfigurationOptions admin, IEnumerable<string> catalogIds, int instances = 3,
        IDictionary<string, string?>? settings = null) =>
        StartAsync(redisUrl, admin, null, catalogIds, instances, settings, null, catalogLink: false);

    private static async Task<ClusterTestBed> StartAsync(string redisUrl, ConfigurationOptions adminOptions, RedisServer? redis, IEnumerable<string> catalogIds,
        int instances, IDictionary<string, string?>? settings, string? upstreamUrl, bool catalogLink)
    {
        var catalog = await CatalogServer.StartAsync(catalogIds);
        var link = catalogLink ? FaultProxy.Start(new Uri(upstreamUrl ?? catalog.Url).Port) : null;
        upstreamUrl = link is null ? upstreamUrl : $"http://127.0.0.1:{link.Port}";
        adminOptions.AllowAdmin = true;
        adminOptions.AbortOnConnectFail = false;
        adminOptions.ConnectTimeout = 2000;
        adminOptions.AsyncTimeout = 2000;
        var admin = await ConnectionMultiplexer.ConnectAsync(adminOptions);
        var bed = new ClusterTestBed(redisUrl, redis, catalog, admin)
        {
            Settings = settings ?? new Dictionary<string, string?>(),
            UpstreamUrl = upstreamUrl ?? catalog.Url,
            CatalogLink = link,
        };
        try
        {
            var starting = Enumerable.Range(0, instances).Select(i => bed.StartInstance($"gw-{i}")).ToList();
            foreach (var instance in starting)
            {
                await instance.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
            }

            await bed.WaitForMembersAsync(instances);
            return bed;
        }
        catch
        {
            await bed.DisposeAsync();
            throw;
        }
    }

    /// <summary>The fault proxy every instance reaches the catalog through, when the bed was started with one.</summary>
    public FaultProxy? CatalogLink { get; private init; }

    /// <summary>The catalog the instances forward to.</summary>
    public string UpstreamUrl { get; private init; } = "";

    /// <summary>Extra settings for every instance started from now on.</summary>
    public IDictionary<string, string?> Settings { get; private init; } = new Dictionary<string, string?>();

    /// <summary>Starts one more instance (not waiting for it), with the bed's settings and <paramref name="overrides"/>.</summary>
    public GatewayProcess StartInstance(string instanceId, IDictionary<string, string?>? overrides = null)
    {
        var environment = new Dictionary<string, string?>
        {
            ["REDIS_URL"] = RedisUrl,
            ["UPSTREAM_URL"] = UpstreamUrl,
            ["PRODUCTS_FILE"] = "",
            ["EDGEGUARD_INSTANCE_ID"] = instanceId,
            ["EDGEGUARD_ADMIN_KEY"] = AdminKey,
            ["EdgeGuard__Bloom__LoadFromCatalog"] = "true",
            ["EdgeGuard__Bloom__MaxRetryDelay"] = "00:00:00.200",
            ["EdgeGuard__Cluster__HeartbeatInterval"] = "00:00:00.200",
            ["EdgeGuard__Cluster__MembershipTtl"] = MembershipTtl.ToString(),
            ["EdgeGuard__Cluster__AnnounceTimeout"] = "00:00:01",
            ["EdgeGuard__Cluster__LeaderLeaseTtl"] = "00:00:03",
            ["EdgeGuard__Cluster__PollInterval"] = "00:00:00.100",
            ["EdgeGuard__Cache__RedisTimeout"] = "00:00:00.500",
            ["EdgeGuard__Cache__RedisBreakDuration"] = "00:00:01",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (key, value) in Settings.Concat(overrides ?? new Dictionary<string, string?>()))
        {
            environment[key] = value;
        }

        var instance = GatewayProcess.Start(environment);
        _instances.Add(instance);
        return instance;
    }

    /// <summary>Waits until Redis lists <paramref name="count"/> live members.</summary>
    public async Task WaitForMembersAsync(int count, TimeSpan? within = null)
    {
        await Eventually.TrueAsync(async () => await LiveMembersAsync() == count, within ?? TimeSpan.FromSeconds(20),
            $"the cluster never had {count} live members");
    }

    public async Task<long> LiveMembersAsync()
    {
        var server = Admin.GetServers().FirstOrDefault(server => server.IsConnected && !server.IsReplica) ?? Admin.GetServers()[0];
        var now = (long)(await server.TimeAsync()).Subtract(DateTime.UnixEpoch).TotalMilliseconds;
        return await Admin.GetDatabase().SortedSetLengthAsync("{edgeguard}:members", now, double.PositiveInfinity);
    }

    public async Task<string?> LeaderAsync() => await Admin.GetDatabase().StringGetAsync("{edgeguard}:lease:leader");

    public static async Task<HttpResponseMessage> CreateAsync(HttpClient client, string id) =>
        await client.PostAsJsonAsync("/products", new { id, name = "Product " + id, price = 12.5 });

    public static async Task<JsonElement> StatsAsync(HttpClient client) =>
        JsonDocument.Parse(await client.GetStringAsync("/bloom/stats")).RootElement;

    public async ValueTask DisposeAsync()
    {
        foreach (var instance in _instances)
        {
            await instance.DisposeAsync();
        }

        await Admin.DisposeAsync();
        if (CatalogLink is not null)
        {
            await CatalogLink.DisposeAsync();
        }

        await Catalog.DisposeAsync();
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }
}
