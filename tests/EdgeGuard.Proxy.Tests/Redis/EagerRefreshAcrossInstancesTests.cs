using System.Diagnostics;
using System.Net;
using System.Text.Json;
using EdgeGuard.Proxy.Caching;
using EdgeGuard.Proxy.Tests.Infrastructure;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

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
public sealed class EagerRefreshAcrossInstancesTests
{
    private const string Id = "HOT-1";

    [Fact]
    public async Task Eager_refresh_after_another_instance_refreshed_takes_its_answer_from_redis_without_a_fetch()
    {
        await using var redis = await RedisServer.StartAsync();
        var catalog = Upstream.StartCatalog();
        try
        {
            var stub = Guid.NewGuid();
            void CatalogAnswers(string version) => catalog.Given(Request.Create().WithPath("/products/" + Id).UsingGet()).WithGuid(stub)
                .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                    .WithBody($$"""{"id":"{{Id}}","version":"{{version}}"}"""));
            Dictionary<string, string?> Settings(string clusterName) => new()
            {
                ["REDIS_URL"] = redis.Url,
                ["EdgeGuard:Cluster:Name"] = clusterName,
                // Fresh for 10 s, refreshed eagerly after half of that.
                ["EdgeGuard:Cache:PositiveTtl"] = "00:00:10",
                ["EdgeGuard:Cache:EagerRefreshThreshold"] = "0.5",
                ["EdgeGuard:Cache:RedisTimeout"] = "00:00:02",
            };

            CatalogAnswers("v1");
            await using var a = new GatewayFactory(catalog.Url!, [Id], Settings("edgeguard"));
            // B shares A's Redis, entries and locks (their keys are the contract's, whatever the cluster's name); with
            // a name of its own it is not a member of A's cluster, which two gateways in one test process cannot be.
            var held = new Hold();
            await using var b = new GatewayFactory(catalog.Url!, [Id], Settings("edgeguard-b"), services: services => InterceptedLocker.Install(services, beforeAcquire: held.BeforeAcquireAsync));
            using var clientA = await a.CreateReadyClientAsync();
            using var clientB = await b.CreateReadyClientAsync();
            using var admin = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{redis.Port}");
            var db = admin.GetDatabase();

            var sinceFirstFetch = Stopwatch.StartNew();
            Assert.Equal(("upstream", "v1"), await ReadAsync(clientA));
            Assert.Equal(("cache", "v1"), await ReadAsync(clientB)); // from Redis into B's memory
            var storedByFirstFetch = await StoredAsync(db);
            Assert.False(storedByFirstFetch.IsNull, "A's first fetch is not in Redis.");

            // Past both entries' eager point (5 s), well before their expiry (10 s): the clock is the subject here.
            await Task.Delay(TimeSpan.FromSeconds(5.5) - sinceFirstFetch.Elapsed);
            CatalogAnswers("v2");
            var latch = held.Arm();
            Assert.Equal(("cache", "v1"), await ReadAsync(clientB)); // B's refresh starts, finds nothing newer in Redis
            await latch.Arrived.WaitAsync(TimeSpan.FromSeconds(10)); // and is held as it takes the lock

            Assert.Equal(("cache", "v1"), await ReadAsync(clientA)); // A's refresh starts
            // A's refresh is over when Redis holds its answer and A's lock is gone (A releases it after writing Redis).
            await Eventually.TrueAsync(async () => catalog.CallsTo("/products/" + Id) == 2 && await StoredAsync(db) != storedByFirstFetch && !await LockHeldAsync(admin),
                TimeSpan.FromSeconds(10), "A's eager refresh did not fetch, store and release its lock");
            CatalogAnswers("v3");
            latch.Release(); // B takes the lock

            var refreshed = await Eventually.ValueAsync(() => ReadAsync(clientB), read => read.Version != "v1", TimeSpan.FromSeconds(10));

            Assert.Equal(("cache", "v2"), refreshed);
            Assert.Equal(2, catalog.CallsTo("/products/" + Id));
        }
        finally
        {
            catalog.Stop();
        }
    }

    [Fact]
    public async Task Eager_refresh_whose_read_of_redis_gets_no_answer_keeps_the_fresh_entry_instead_of_fetching_again()
    {
        await using var redis = await RedisServer.StartAsync();
        var catalog = Upstream.StartCatalog();
        try
        {
            var stub = Guid.NewGuid();
            void CatalogAnswers(string version) => catalog.Given(Request.Create().WithPath("/products/" + Id).UsingGet()).WithGuid(stub)
                .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                    .WithBody($$"""{"id":"{{Id}}","version":"{{version}}"}"""));
            Dictionary<string, string?> Settings(string clusterName) => new()
            {
                ["REDIS_URL"] = redis.Url,
                ["EdgeGuard:Cluster:Name"] = clusterName,
                ["EdgeGuard:Cache:PositiveTtl"] = "00:00:10",
                ["EdgeGuard:Cache:EagerRefreshThreshold"] = "0.5",
                ["EdgeGuard:Cache:RedisTimeout"] = "00:00:02",
            };

            CatalogAnswers("v1");
            await using var a = new GatewayFactory(catalog.Url!, [Id], Settings("edgeguard"));
            var held = new Hold();
            ReadSwitch? reads = null;
            await using var b = new GatewayFactory(catalog.Url!, [Id], Settings("edgeguard-b"), services: services =>
            {
                InterceptedLocker.Install(services, beforeAcquire: held.BeforeAcquireAsync);
                reads = FailingReads.Install(services);
            });
            using var clientA = await a.CreateReadyClientAsync();
            using var clientB = await b.CreateReadyClientAsync();
            using var admin = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{redis.Port}");
            var db = admin.GetDatabase();

            var sinceFirstFetch = Stopwatch.StartNew();
            Assert.Equal(("upstream", "v1"), await ReadAsync(clientA));
            Assert.Equal(("cache", "v1"), await ReadAsync(clientB));
            var storedByFirstFetch = await StoredAsync(db);

            await Task.Delay(TimeSpan.FromSeconds(5.5) - sinceFirstFetch.Elapsed); // past the eager point, before expiry
            CatalogAnswers("v2");
            var latch = held.Arm();
            Assert.Equal(("cache", "v1"), await ReadAsync(clientB));
            await latch.Arrived.WaitAsync(TimeSpan.FromSeconds(10)); // B's refresh is held as it takes the lock

            Assert.Equal(("cache", "v1"), await ReadAsync(clientA)); // A refreshes: the one fetch of this lifetime
            await Eventually.TrueAsync(async () => catalog.CallsTo("/products/" + Id) == 2 && await StoredAsync(db) != storedByFirstFetch && !await LockHeldAsync(admin),
                TimeSpan.FromSeconds(10), "A's eager refresh did not fetch, store and release its lock");
            CatalogAnswers("v3");
            reads!.Failing = true; // B's reads of Redis get no answer from now on
            latch.Release();

            await Eventually.TrueAsync(() => Task.FromResult(reads.FailedReads >= 3), TimeSpan.FromSeconds(10), "B's refresh never read Redis");
            Assert.Equal(("cache", "v1"), await ReadAsync(clientB)); // its own entry, still fresh
            Assert.Equal(2, await catalog.CallsToEventuallyAsync("/products/" + Id, 3, TimeSpan.FromSeconds(1)));
        }
        finally
        {
            catalog.Stop();
        }
    }

    /// <summary>Whether B's Redis reads get an answer, and how many did not.</summary>
    private sealed class ReadSwitch
    {
        private int _failed;

        public volatile bool Failing;

        public int FailedReads => Volatile.Read(ref _failed);

        public RedisTimeoutException Fail()
        {
            Interlocked.Increment(ref _failed);
            return new RedisTimeoutException("The test holds this read.", CommandStatus.Sent);
        }
    }

    /// <summary>B's distributed cache (its Redis L2), whose reads get no answer while the switch says so.</summary>
    private sealed class FailingReads(IDistributedCache inner, ReadSwitch readSwitch) : IDistributedCache
    {
        public static ReadSwitch Install(IServiceCollection services)
        {
            var readSwitch = new ReadSwitch();
            var real = services.Single(service => service.ServiceType == typeof(IDistributedCache));
            services.Remove(real);
            services.AddSingleton<IDistributedCache>(provider => new FailingReads((IDistributedCache)real.ImplementationFactory!(provider), readSwitch));
            return readSwitch;
        }

        public byte[]? Get(string key) => readSwitch.Failing ? throw readSwitch.Fail() : inner.Get(key);

        public Task<byte[]?> GetAsync(string key, CancellationToken token = default) =>
            readSwitch.Failing ? Task.FromException<byte[]?>(readSwitch.Fail()) : inner.GetAsync(key, token);

        public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => inner.Set(key, value, options);

        public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) => inner.SetAsync(key, value, options, token);

        public void Refresh(string key) => inner.Refresh(key);

        public Task RefreshAsync(string key, CancellationToken token = default) => inner.RefreshAsync(key, token);

        public void Remove(string key) => inner.Remove(key);

        public Task RemoveAsync(string key, CancellationToken token = default) => inner.RemoveAsync(key, token);
    }

    /// <summary>Armed, it holds the next attempt at B's lock that does not wait (an eager refresh's) at its latch.</summary>
    private sealed class Hold
    {
        private Latch? _armed;

        public Latch Arm() => _armed = new Latch();

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
    private static async Task<bool> LockHeldAsync(ConnectionMultiplexer admin)
    {
        var server = admin.GetServer(admin.GetEndPoints().Single());
        await foreach (var _ in server.KeysAsync(pattern: CacheKeys.Product(Id) + "?*"))
        {
            return true;
        }

        return false;
    }
}
