using System.Net.Http.Json;
using StackExchange.Redis;

namespace EdgeGuard.Proxy.Tests.Redis;

/// <summary>
/// One test's world: a real redis-server, a WireMock catalog, the real gateway (in-process) pointed at both,
/// and a connection of the test's own to look inside Redis.
/// </summary>
public sealed class RedisTestBed : IAsyncDisposable
{
    public static readonly TimeSpan PositiveTtl = TimeSpan.FromMinutes(2);
    public static readonly TimeSpan NegativeTtl = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan NegativeTtlJitter = TimeSpan.FromSeconds(10);

    /// <summary>The name the test's own Redis connections carry, so a test can cut off everyone else.</summary>
    private const string AdminClientName = "edgeguard-tests-admin";

    private RedisTestBed(RedisServer redis, WireMockServer upstream)
    {
        Redis = redis;
        Upstream = upstream;
    }

    public RedisServer Redis { get; }

    public WireMockServer Upstream { get; }

    public InProcessGateway Gateway { get; private set; } = null!;

    /// <summary>The gateway as the bed stands it up (Redis, TTLs, timeouts): <c>Builder.InProcess()</c> is another instance on the same Redis.</summary>
    public GatewayBuilder Builder { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public ConnectionMultiplexer Admin { get; private set; } = null!;

    public IDatabase Db => Admin.GetDatabase();

    public IServer Server => Admin.GetServer(Admin.GetEndPoints().Single());

    /// <summary>What the gateway's own cache store says about its health (null while healthy).</summary>
    public Task<string?> DegradationAsync() => Task.FromResult(Gateway.Services.GetRequiredService<ProductCache>().Degradation);

    /// <param name="knownIds">The ids the gateway's Bloom filter is built from.</param>
    public static async Task<RedisTestBed> StartAsync(IEnumerable<string> knownIds)
    {
        var redis = await RedisServer.StartAsync();
        var bed = new RedisTestBed(redis, Infrastructure.Upstream.StartCatalog());
        try
        {
            bed.Upstream.Given(Request.Create().WithPath("/products").UsingPost())
                .RespondWith(Response.Create().WithStatusCode(201).WithHeader("Content-Type", "application/json").WithBody("{}"));
            bed.Builder = Gateways.Build().WithUpstream(bed.Upstream.Url!).WithIds(knownIds).WithRedis(redis)
                .WithSetting("EdgeGuard:Cache:PositiveTtl", PositiveTtl.ToString())
                .WithSetting("EdgeGuard:Cache:NegativeTtl", NegativeTtl.ToString())
                .WithSetting("EdgeGuard:Cache:NegativeTtlJitter", NegativeTtlJitter.ToString());
            bed.Gateway = bed.Builder.InProcess();
            bed.Client = await bed.Gateway.CreateReadyClientAsync();
            bed.Admin = await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions
            {
                EndPoints = { { IPAddress.Loopback, redis.Port } },
                AllowAdmin = true,
                AbortOnConnectFail = false,
                ClientName = AdminClientName,
                ConnectTimeout = 2000,
                AsyncTimeout = 2000,
                SyncTimeout = 2000,
                BacklogPolicy = BacklogPolicy.FailFast,
                ReconnectRetryPolicy = new LinearRetry(200),
            });
            Assert.True(bed.Admin.IsConnected, $"The test's own connection to redis on port {redis.Port} failed.");
            return bed;
        }
        catch
        {
            await bed.DisposeAsync();
            throw;
        }
    }

    public static string Key(string id) => CacheKeys.Product(id);

    public static string Body(string id) => $$"""{"id":"{{id}}","name":"Product {{id}}","price":12.5}""";

    /// <summary>The catalog knows <paramref name="id"/> (answering <see cref="Body"/>; replaces an earlier stub for it).</summary>
    public void StubProduct(string id) => Upstream.StubProduct(id, Body(id));

    /// <summary>The catalog does not know <paramref name="id"/> (replaces an earlier stub for it).</summary>
    public void StubMissing(string id) => Upstream.StubMissing(id);

    public int UpstreamReads(string id) => Upstream.CallsTo("/products/" + id);

    public async Task<TimedResponse> GetAsync(string id)
    {
        var stopwatch = Stopwatch.StartNew();
        var response = await Client.GetAsync("/products/" + id);
        var body = await response.Content.ReadAsStringAsync();
        return new TimedResponse(response, body, stopwatch.Elapsed);
    }

    public async Task<TimedResponse> CreateAsync(string id)
    {
        var stopwatch = Stopwatch.StartNew();
        var response = await Client.PostAsJsonAsync("/products", new { id, name = "Product " + id, price = 12.5 });
        var body = await response.Content.ReadAsStringAsync();
        return new TimedResponse(response, body, stopwatch.Elapsed);
    }

    /// <summary>
    /// The cached entry as Redis holds it (a hash whose <c>data</c> field is FusionCache's distributed entry
    /// wrapping the gateway's own format), or null when Redis holds no key for <paramref name="id"/>.
    /// </summary>
    public async Task<StoredEntry?> EntryAsync(string id)
    {
        var data = await Db.HashGetAsync(Key(id), "data");
        if (data.IsNull)
        {
            return null;
        }

        using var document = System.Text.Json.JsonDocument.Parse((byte[])data!);
        var value = document.RootElement.GetProperty("Value");
        return new StoredEntry(value.GetProperty("v").GetInt32(), value.GetProperty("k").GetInt32(), value.GetProperty("s").GetInt32());
    }

    /// <summary>False (rather than an exception) while the test's own connection is still reconnecting.</summary>
    public async Task<bool> KeyExistsAsync(string id)
    {
        try
        {
            return await Db.KeyExistsAsync(Key(id));
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return false;
        }
    }

    /// <summary>
    /// Keeps Redis up with its data but unreachable for the gateway: no new client is accepted
    /// (<c>maxclients</c> 1, fewer than the test's own connections already hold) and every connection
    /// but the test's own is closed. The gateway's commands then fail at once (it fails fast while
    /// disconnected), so they never reach Redis, not even late.
    /// </summary>
    public async Task CutGatewayOffAsync()
    {
        await Server.ConfigSetAsync("maxclients", "1");
        foreach (var client in await Server.ClientListAsync())
        {
            if (client.Name != AdminClientName)
            {
                await Server.ClientKillAsync(client.Id, skipMe: true);
            }
        }

        await Eventually.TrueAsync(async () => await DegradationAsync() is not null, TimeSpan.FromSeconds(5),
            "the gateway never noticed that it was cut off from Redis");
    }

    public Task LetGatewayBackAsync() => Server.ConfigSetAsync("maxclients", "10000");

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        if (Gateway is not null)
        {
            await Gateway.DisposeAsync();
        }

        if (Admin is not null)
        {
            await Admin.DisposeAsync();
        }

        Upstream.Stop();
        Upstream.Dispose();
        await Redis.DisposeAsync();
    }
}

/// <summary>
/// Tests on a <see cref="RedisTestBed"/> of their own, started before each test with the catalog knowing
/// <see cref="Products"/> and not <see cref="Missing"/> (all of them in the gateway's filter).
/// </summary>
public abstract class RedisBedTests : IAsyncLifetime
{
    protected const string Existing = "SKU-1";
    protected const string Later = "SKU-2";
    protected const string FalsePositive = "SKU-GHOST";
    protected const string Created = "SKU-NEW";
    protected const string Unknown = "NOPE-404";

    protected RedisTestBed Bed { get; private set; } = null!;

    /// <summary>Ids the catalog knows.</summary>
    protected virtual IEnumerable<string> Products => [Existing, Later];

    /// <summary>Ids in the filter the catalog does not know (false positives, products not created yet).</summary>
    protected virtual IEnumerable<string> Missing => [FalsePositive, Created];

    public async Task InitializeAsync()
    {
        Bed = await RedisTestBed.StartAsync([.. Products, .. Missing]);
        foreach (var id in Products)
        {
            Bed.StubProduct(id);
        }

        foreach (var id in Missing)
        {
            Bed.StubMissing(id);
        }
    }

    public async Task DisposeAsync() => await Bed.DisposeAsync();
}

/// <summary>An entry read back from Redis: format version, kind (1 answer, 2 negative, 3 pass-through), status.</summary>
public sealed record StoredEntry(int Version, int Kind, int Status)
{
    public const int Answer = 1;
    public const int Negative = 2;
}

public sealed record TimedResponse(HttpResponseMessage Response, string Body, TimeSpan Elapsed) : IDisposable
{
    public HttpStatusCode Status => Response.StatusCode;

    public string Source => Response.Source();

    public void Dispose() => Response.Dispose();

    public override string ToString() => $"{(int)Status} source={Source} in {Elapsed.TotalMilliseconds:F0} ms: {Body}";
}
