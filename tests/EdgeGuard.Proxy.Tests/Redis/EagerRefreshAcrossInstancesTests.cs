using Microsoft.Extensions.Caching.Distributed;
using StackExchange.Redis;

namespace EdgeGuard.Proxy.Tests.Redis;

/// <summary>
/// One expiry, one catalog request, with eager refresh across instances. FusionCache's eager refresh looks in Redis
/// for a newer entry, then takes the distributed lock without waiting. Between the two, instance A can refresh the
/// same id and release the lock: B then holds the lock with A's answer in Redis. B must take that answer, not fetch
/// it again. B is held at that exact point by a latch in its lock. And when B's read of Redis then gets no answer (a
/// command held up on a busy machine), B keeps its entry until it expires instead of fetching a second time.
/// </summary>
[Integration]
[Collection(RedisCollection.Name)]
public sealed class EagerRefreshAcrossInstancesTests : IAsyncLifetime
{
    private const string Id = "HOT-1";

    private readonly WireMockServer _catalog = Upstream.StartCatalog();
    private readonly Guid _stub = Guid.NewGuid();
    private readonly Hold _held = new();
    private RedisServer _redis = null!;
    private ConnectionMultiplexer _admin = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _admin = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{_redis.Port}");
        CatalogAnswers("v1");
    }

    public async Task DisposeAsync()
    {
        await _admin.DisposeAsync();
        await _redis.DisposeAsync();
        _catalog.Stop();
    }

    [Fact]
    public async Task Eager_refresh_after_another_instance_refreshed_takes_its_answer_from_redis_without_a_fetch()
    {
        await using var a = Instance("edgeguard").InProcess();
        await using var b = Instance("edgeguard-b").WithServices(_held.Install).InProcess();
        var (clientB, heldRefresh) = await RefreshOnBothAsync(a, b);

        heldRefresh.Release(); // B takes the lock
        var refreshed = await Eventually.ValueAsync(() => ReadAsync(clientB), read => read.Version != "v1", TimeSpan.FromSeconds(10));

        Assert.Equal(("cache", "v2"), refreshed);
        Assert.Equal(2, _catalog.CallsTo("/products/" + Id));
    }

    [Fact]
    public async Task Eager_refresh_whose_read_of_redis_gets_no_answer_keeps_the_fresh_entry_instead_of_fetching_again()
    {
        RedisReadSwitch? reads = null;
        await using var a = Instance("edgeguard").InProcess();
        await using var b = Instance("edgeguard-b").WithServices(_held.Install).WithServices(services => reads = RedisReadSwitch.Install(services)).InProcess();
        var (clientB, heldRefresh) = await RefreshOnBothAsync(a, b);

        reads!.Failing = true; // B's reads of Redis get no answer from now on
        heldRefresh.Release();

        await Eventually.TrueAsync(() => Task.FromResult(reads.FailedReads >= 3), TimeSpan.FromSeconds(10), "B's refresh never read Redis");
        Assert.Equal(("cache", "v1"), await ReadAsync(clientB)); // its own entry, still fresh
        Assert.Equal(2, await _catalog.CallsToEventuallyAsync("/products/" + Id, 3, TimeSpan.FromSeconds(1)));
    }

    /// <summary>
    /// An instance on the test's Redis, fresh for 10 s and refreshed eagerly after half of that. A second instance
    /// shares the first's Redis, entries and locks (their keys are the contract's, whatever the cluster's name); with a
    /// name of its own it is not a member of the first's cluster, which two gateways in one test process cannot be.
    /// </summary>
    private GatewayBuilder Instance(string clusterName) => Gateways.Build().WithUpstream(_catalog.Url!).WithIds([Id]).WithRedis(_redis)
        .WithSetting("EdgeGuard:Cluster:Name", clusterName)
        .WithSetting("EdgeGuard:Cache:PositiveTtl", "00:00:10")
        .WithSetting("EdgeGuard:Cache:EagerRefreshThreshold", "0.5")
        .WithSetting("EdgeGuard:Cache:RedisTimeout", "00:00:02");

    /// <summary>
    /// A fetches v1 and B takes it from Redis; past the eager point B's refresh is held as it takes the lock, while A's
    /// refresh fetches v2 (the one fetch of this lifetime), stores it and releases its lock. The catalog answers v3 from
    /// then on. Returns B's client and its held refresh.
    /// </summary>
    private async Task<(HttpClient B, Latch HeldRefresh)> RefreshOnBothAsync(InProcessGateway a, InProcessGateway b)
    {
        var clientA = await a.CreateReadyClientAsync();
        var clientB = await b.CreateReadyClientAsync();
        var db = _admin.GetDatabase();

        var sinceFirstFetch = Stopwatch.StartNew();
        Assert.Equal(("upstream", "v1"), await ReadAsync(clientA));
        Assert.Equal(("cache", "v1"), await ReadAsync(clientB)); // from Redis into B's memory
        var storedByFirstFetch = await StoredAsync(db);
        Assert.False(storedByFirstFetch.IsNull, "A's first fetch is not in Redis.");

        // Past both entries' eager point (5 s), well before their expiry (10 s): the clock is the subject here.
        await Task.Delay(TimeSpan.FromSeconds(5.5) - sinceFirstFetch.Elapsed);
        CatalogAnswers("v2");
        var latch = _held.Arm();
        Assert.Equal(("cache", "v1"), await ReadAsync(clientB)); // B's refresh starts, finds nothing newer in Redis
        await latch.Arrived.WaitAsync(TimeSpan.FromSeconds(10)); // and is held as it takes the lock

        Assert.Equal(("cache", "v1"), await ReadAsync(clientA)); // A's refresh starts
        // A's refresh is over when Redis holds its answer and A's lock is gone (A releases it after writing Redis).
        await Eventually.TrueAsync(async () => _catalog.CallsTo("/products/" + Id) == 2 && await StoredAsync(db) != storedByFirstFetch && !await LockHeldAsync(),
            TimeSpan.FromSeconds(10), "A's eager refresh did not fetch, store and release its lock");
        CatalogAnswers("v3");
        return (clientB, latch);
    }

    private void CatalogAnswers(string version) => _catalog.Given(Request.Create().WithPath("/products/" + Id).UsingGet()).WithGuid(_stub)
        .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
            .WithBody($$"""{"id":"{{Id}}","version":"{{version}}"}"""));

    /// <summary>Armed, it holds the next attempt at B's lock that does not wait (an eager refresh's) at its latch.</summary>
    private sealed class Hold
    {
        private Latch? _armed;

        public Latch Arm() => _armed = new Latch();

        /// <summary>Wraps B's lock so that its attempts pass here first.</summary>
        public void Install(IServiceCollection services) => InterceptedLocker.Install(services, beforeAcquire: BeforeAcquireAsync);

        public async Task BeforeAcquireAsync(TimeSpan wait)
        {
            if (wait == TimeSpan.Zero && Interlocked.Exchange(ref _armed, null) is { } latch)
            {
                latch.Arrive();
                await latch.Released;
            }
        }
    }

    private static async Task<(string Source, string Version)> ReadAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/products/" + Id);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.Source(), body.RootElement.GetProperty("version").GetString()!);
    }

    /// <summary>The bytes Redis holds for the id's entry (a hash, as the distributed cache writes it).</summary>
    private static async Task<RedisValue> StoredAsync(IDatabase db) => await db.HashGetAsync(CacheKeys.Product(Id), "data");

    /// <summary>True while the cache's distributed lock on the id exists (its key is the entry's, with a suffix).</summary>
    private async Task<bool> LockHeldAsync()
    {
        var server = _admin.GetServer(_admin.GetEndPoints().Single());
        await foreach (var _ in server.KeysAsync(pattern: CacheKeys.Product(Id) + "?*"))
        {
            return true;
        }

        return false;
    }
}
