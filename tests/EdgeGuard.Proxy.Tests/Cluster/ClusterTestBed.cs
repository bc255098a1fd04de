using EdgeGuard.Testing.Faults;
using StackExchange.Redis;

namespace EdgeGuard.Proxy.Tests.Cluster;

/// <summary>
/// A cluster as operators run one: a real redis-server (or Redis behind Sentinels, or a Redis Cluster, which the
/// caller starts), the real catalog (SQLite, real HTTP), and gateway instances as real processes sharing
/// <c>REDIS_URL</c> (so an instance can be killed with SIGKILL or frozen with SIGSTOP), with the cluster's timings
/// shortened (<see cref="GatewayBuilder.WithClusterTimings"/>) so outages play out in seconds.
/// </summary>
public sealed class ClusterTestBed : IAsyncDisposable
{
    private readonly List<GatewayProcess> _instances = [];
    private readonly RedisServer? _redis;

    private ClusterTestBed(RedisServer? redis, CatalogServer catalog, ConnectionMultiplexer admin, GatewayBuilder instance, FaultProxy? catalogLink)
    {
        _redis = redis;
        Catalog = catalog;
        Admin = admin;
        Instance = instance;
        CatalogLink = catalogLink;
    }

    /// <summary>The one redis-server the bed started (not there when it runs on Redis the caller started).</summary>
    public RedisServer Redis => _redis ?? throw new InvalidOperationException("This bed runs on Redis its caller started, not on a redis-server of its own.");

    public CatalogServer Catalog { get; }

    public ConnectionMultiplexer Admin { get; }

    /// <summary>What every instance is (catalog, Redis, timings, the caller's settings); <see cref="StartInstance"/> names one.</summary>
    public GatewayBuilder Instance { get; }

    /// <summary>The fault proxy every instance reaches the catalog through, when the bed was started with one.</summary>
    public FaultProxy? CatalogLink { get; }

    public IReadOnlyList<GatewayProcess> Instances => _instances;

    /// <summary>A client of each instance, in the order they were started.</summary>
    public HttpClient[] Clients => [.. _instances.Select(instance => instance.Client)];

    /// <param name="settings">Settings of every instance, over the bed's.</param>
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
    public static Task<ClusterTestBed> StartOnAsync(string redisUrl, ConfigurationOptions admin, IEnumerable<string> catalogIds, int instances = 3) =>
        StartAsync(redisUrl, admin, null, catalogIds, instances, null, null, catalogLink: false);

    private static async Task<ClusterTestBed> StartAsync(string redisUrl, ConfigurationOptions adminOptions, RedisServer? redis, IEnumerable<string> catalogIds,
        int instances, IDictionary<string, string?>? settings, string? upstreamUrl, bool catalogLink)
    {
        var catalog = await CatalogServer.StartAsync(catalogIds);
        var link = catalogLink ? FaultProxy.Start(new Uri(upstreamUrl ?? catalog.Url).Port) : null;
        adminOptions.AllowAdmin = true;
        adminOptions.AbortOnConnectFail = false;
        adminOptions.ConnectTimeout = 2000;
        adminOptions.AsyncTimeout = 2000;
        var admin = await ConnectionMultiplexer.ConnectAsync(adminOptions);
        var instance = Gateways.Build()
            .WithUpstream(link is null ? upstreamUrl ?? catalog.Url : $"http://127.0.0.1:{link.Port}")
            .LoadingFromCatalog()
            .WithRedis(redisUrl)
            .WithClusterTimings()
            .WithSettings(settings);
        var bed = new ClusterTestBed(redis, catalog, admin, instance, link);
        try
        {
            var starting = Enumerable.Range(0, instances).Select(i => bed.StartInstance($"gw-{i}")).ToList();
            foreach (var started in starting)
            {
                await started.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
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

    /// <summary>Starts one more instance (not waiting for it), as <see cref="Instance"/> with <paramref name="overrides"/>.</summary>
    public GatewayProcess StartInstance(string instanceId, IDictionary<string, string?>? overrides = null)
    {
        var instance = Instance.WithInstanceId(instanceId).WithSettings(overrides).AsProcess();
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
