using System.Diagnostics;
using System.Net;
using System.Text.Json;
using EdgeGuard.Proxy.Caching;
using EdgeGuard.Proxy.Tests.Infrastructure;
using StackExchange.Redis;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace EdgeGuard.Proxy.Tests.Redis;

/// <summary>
/// One expiry, one catalog request, with eager refresh across instances. FusionCache's eager refresh looks in Redis
/// for a newer entry, then takes the distributed lock without waiting. Between the two, instance A can refresh the
/// same id and release the lock: B then holds the lock with A's answer in Redis. B must take that answer, not fetch
/// it again. B is held at that exact point by a latch in its lock.
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
