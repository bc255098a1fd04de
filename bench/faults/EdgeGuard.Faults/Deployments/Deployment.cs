using System.Net;
using System.Text.Json;
using EdgeGuard.Faults.Network;
using EdgeGuard.Testing;
using EdgeGuard.Testing.Gateways;

namespace EdgeGuard.Faults.Deployments;

/// <summary>Which Redis a deployment runs on.</summary>
public enum RedisKind
{
    /// <summary>One redis-server, reached through a faultable link.</summary>
    Single,

    /// <summary>A primary, a replica and Sentinels (fault 5).</summary>
    Failover,

    /// <summary>A Redis Cluster of three primaries.</summary>
    Cluster,
}

/// <summary>
/// One cluster as an operator runs it: the real catalog (a process, SQLite), Redis, and three real gateway processes,
/// wired by an <see cref="IGatewayNetwork"/>. Started fresh for each fault; everything is killed and deleted on dispose
/// (and at process exit if the run ends abnormally).
/// </summary>
public sealed class Deployment : IAsyncDisposable
{
    private readonly List<GatewayProcess> _gateways = [];
    private readonly IDisposable _exitCleanup;

    private Deployment(CatalogProcess catalog, IServiceLink catalogLink, IRedisService redis)
    {
        Catalog = catalog;
        CatalogLink = catalogLink;
        Redis = redis;
        CatalogClient = new HttpClient { BaseAddress = new Uri(catalog.Url), Timeout = TimeSpan.FromSeconds(10) };
        _exitCleanup = ExitCleanup.Register(() =>
        {
            foreach (var gateway in _gateways)
            {
                gateway.Kill();
            }

            catalog.Kill();
            redis.Kill();
        });
    }

    public CatalogProcess Catalog { get; }

    /// <summary>The link from the gateways to the catalog.</summary>
    public IServiceLink CatalogLink { get; }

    public IRedisService Redis { get; }

    public IReadOnlyList<GatewayProcess> Gateways => _gateways;

    /// <summary>The catalog itself, not through a gateway or a link: for inserts behind the gateways' back and the final checks.</summary>
    public HttpClient CatalogClient { get; }

    public static async Task<Deployment> StartAsync(IGatewayNetwork network, IRedisService redis, Action<string> log, CancellationToken cancellationToken)
    {
        var catalog = await CatalogProcess.StartAsync(DeploymentSettings.Seed);
        var deployment = new Deployment(catalog, network.Link(new IPEndPoint(IPAddress.Loopback, catalog.Port)), redis);
        try
        {
            // Redis reached through Sentinel or as a Redis Cluster is reached on loopback: its gateways run there.
            var onLoopback = redis.OnLoopback;
            for (var i = 0; i < DeploymentSettings.Instances; i++)
            {
                var environment = DeploymentSettings.Environment(i, redis.UrlFor(i), "http://" + deployment.CatalogLink.AddressFor(onLoopback ? 0 : i));
                var gateway = EdgeGuard.Testing.Gateways.Gateways.Build().WithSettings(environment);
                deployment._gateways.Add((onLoopback ? gateway : gateway.At(network.Placement(i), network.GatewayPort(i))).AsProcess());
            }

            foreach (var gateway in deployment._gateways)
            {
                await gateway.WaitUntilReadyAsync(TimeSpan.FromSeconds(90), cancellationToken);
            }

            await deployment.WaitUntilShieldedAsync(TimeSpan.FromSeconds(60), cancellationToken);
            log($"deployment up: catalog {catalog.Url}, {redis.Description}, gateways {string.Join(", ", deployment._gateways.Select(g => g.BaseAddress))}");
            return deployment;
        }
        catch
        {
            await deployment.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Until every gateway counts every instance as a member of its cluster and rejects a missing id with its filter: the
    /// workload starts on a cluster at rest.
    /// </summary>
    public async Task WaitUntilShieldedAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        foreach (var gateway in _gateways)
        {
            var shielded = await Eventually.ValueAsync(async () =>
            {
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    var stats = JsonDocument.Parse(await client.GetStringAsync(new Uri(gateway.BaseAddress, "/bloom/stats"), cancellationToken)).RootElement;
                    using var missing = await client.GetAsync(new Uri(gateway.BaseAddress, $"/products/PROBE-{Guid.NewGuid():N}"), cancellationToken);
                    return stats.GetProperty("cluster_instances").GetInt32() == DeploymentSettings.Instances &&
                           missing.Headers.TryGetValues("X-EdgeGuard-Source", out var source) && source.Single() == "bloom";
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }, ok => ok, timeout);
            if (!shielded)
            {
                throw new TimeoutException($"{gateway.Name} did not see {DeploymentSettings.Instances} members and reject a missing id within {timeout.TotalSeconds} s:{Environment.NewLine}{gateway.Output}");
            }
        }
    }

    /// <summary>GET /bloom/stats of a gateway, or null when it does not answer.</summary>
    public async Task<JsonElement?> StatsAsync(int instance)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            return JsonDocument.Parse(await client.GetStringAsync(new Uri(_gateways[instance].BaseAddress, "/bloom/stats"))).RootElement;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>The instance holding the leader's lease, or <paramref name="otherwise"/> when none does.</summary>
    public async Task<int> LeaderOrAsync(int otherwise)
    {
        var leader = await Redis.LeaderAsync();
        for (var i = 0; i < _gateways.Count; i++)
        {
            if (leader == DeploymentSettings.InstanceId(i))
            {
                return i;
            }
        }

        return otherwise;
    }

    /// <summary>Writes each process's output into <paramref name="directory"/>.</summary>
    public async Task SaveOutputsAsync(string directory)
    {
        for (var i = 0; i < _gateways.Count; i++)
        {
            await File.WriteAllTextAsync(Path.Combine(directory, $"gateway-{i}.log"), _gateways[i].Output);
        }

        await File.WriteAllTextAsync(Path.Combine(directory, "catalog.log"), Catalog.Output);
        foreach (var (name, output) in Redis.Outputs())
        {
            await File.WriteAllTextAsync(Path.Combine(directory, $"{name}.log"), output);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var gateway in _gateways)
        {
            await gateway.DisposeAsync();
        }

        CatalogClient.Dispose();
        await CatalogLink.DisposeAsync();
        await Catalog.DisposeAsync();
        await Redis.DisposeAsync();
        _exitCleanup.Dispose();
    }
}
