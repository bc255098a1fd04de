using StackExchange.Redis;

namespace EdgeGuard.Proxy.Tests.Redis;

/// <summary>
/// What a cold miss costs Redis, counted by Redis itself (<c>INFO commandstats</c>): its L2 read before the catalog
/// request, and after the answer the L2 write. A first fetch of an id takes no distributed lock (it would cost a lock,
/// a second read and a release), and sends no backplane message (no other instance holds the id). The cluster's own
/// commands (heartbeats, polls of the filter stream) are kept out of the window by long intervals.
/// </summary>
[Integration]
[Collection(RedisCollection.Name)]
public sealed class RedisCommandsPerMissTests
{
    private const int Misses = 300;

    /// <summary>What the cache, its lock and its backplane send (commands a script runs inside count too).</summary>
    private static readonly string[] CacheCommands = ["hmget", "hget", "hgetall", "hmset", "hset", "expire", "pexpire", "publish", "set", "get", "del", "evalsha", "eval", "exists"];

    [Fact]
    public async Task Cold_miss_costs_at_most_three_redis_commands_before_the_catalog_and_five_in_all()
    {
        await using var redis = await RedisServer.StartAsync();
        var ids = Enumerable.Range(1, Misses).Select(i => $"COLD-{i:D4}").Append("HELD-1").ToList();
        await using var catalog = await ScriptedCatalog.StartAsync(ids);
        await using var gateway = Gateway(catalog.Url, ids, redis).InProcess();
        using var client = await gateway.CreateReadyClientAsync();
        using var admin = await redis.ConnectAdminAsync();
        var server = admin.GetServer(admin.GetEndPoints().Single());

        // Every id read once, one after the other: each a cold miss.
        var before = await CountAsync(server);
        foreach (var id in ids.Take(Misses))
        {
            using var answer = await client.GetAsync("/products/" + id);
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            Assert.Equal("upstream", answer.Source());
        }

        // The writes follow the answers: counted once the last one has reached Redis.
        var written = await Eventually.ValueAsync(() => server.InfoAsync("commandstats"), stats => Calls(stats, "hmset") - Calls(before.Stats, "hmset") >= Misses,
            TimeSpan.FromSeconds(10));
        Assert.True(Calls(written, "hmset") - Calls(before.Stats, "hmset") >= Misses, $"the misses' L2 writes did not all reach Redis: {Describe(before.Stats, written)}");
        var perMiss = (double)(Total(written) - before.Total) / Misses;
        Assert.Equal(Misses, catalog.ProductReads);
        Assert.True(perMiss <= 5, $"{perMiss:F2} Redis commands per cold miss: {Describe(before.Stats, written)}");
        Assert.True(Calls(written, "publish") == Calls(before.Stats, "publish"), $"first fetches sent backplane messages: {Describe(before.Stats, written)}");

        // Before the catalog request: held at the catalog, counted while it waits.
        catalog.HoldProductReads();
        var start = await CountAsync(server);
        var read = client.GetAsync("/products/HELD-1");
        await catalog.ProductReadHeld.WaitAsync(TimeSpan.FromSeconds(10));
        var held = await CountAsync(server);
        catalog.OpenProductReads();
        using (var answer = await read)
        {
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        }

        Assert.True(held.Total - start.Total <= 3,
            $"{held.Total - start.Total} Redis commands before the catalog request: {Describe(start.Stats, held.Stats)}");
    }

    /// <summary>
    /// A first fetch that finds the id gone (the filter let it through; the catalog answers 404) still sends its
    /// backplane message: an instance may hold a 404 for an id the catalog now has (Redis lost the key), and the
    /// message ends it. A 200's first fetch sends none (above).
    /// </summary>
    [Fact]
    public async Task First_fetch_of_a_missing_id_is_announced_on_the_backplane()
    {
        await using var redis = await RedisServer.StartAsync();
        var catalog = Upstream.StartCatalog();
        try
        {
            string[] ids = ["GONE-1", "HERE-1"];
            catalog.StubIdList(ids);
            catalog.StubMissing("GONE-1");
            catalog.StubProduct("HERE-1");
            await using var gateway = Gateway(catalog.Url!, ids, redis).InProcess();
            using var client = await gateway.CreateReadyClientAsync();
            using var admin = await redis.ConnectAdminAsync();
            var server = admin.GetServer(admin.GetEndPoints().Single());
            var before = await CommandStats.CallsAsync(server, "publish");

            using (var found = await client.GetAsync("/products/HERE-1"))
            {
                Assert.Equal(HttpStatusCode.OK, found.StatusCode);
            }

            using (var gone = await client.GetAsync("/products/GONE-1"))
            {
                Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
                Assert.Equal("upstream", gone.Source());
            }

            // The writes follow the answers: the negative entry's message is counted once it reached Redis.
            var after = await Eventually.ValueAsync(() => CommandStats.CallsAsync(server, "publish"), calls => calls > before, TimeSpan.FromSeconds(10));
            Assert.Equal(before + 1, after);
        }
        finally
        {
            catalog.Stop();
        }
    }

    /// <summary>One gateway on <paramref name="redis"/>, with time for Redis on a busy machine, and a quiet cluster.</summary>
    private static GatewayBuilder Gateway(string catalogUrl, IEnumerable<string> ids, RedisServer redis) =>
        Gateways.Build().WithUpstream(catalogUrl).WithIds(ids).WithRedis(redis)
            .WithSetting("EdgeGuard:Cache:RedisTimeout", "00:00:02")
            .WithQuietCluster();

    private static async Task<(IGrouping<string, KeyValuePair<string, string>>[] Stats, long Total)> CountAsync(IServer server)
    {
        var stats = await CommandStats.ReadAsync(server);
        return (stats, Total(stats));
    }

    private static long Total(IGrouping<string, KeyValuePair<string, string>>[] stats) => CacheCommands.Sum(name => Calls(stats, name));

    private static long Calls(IGrouping<string, KeyValuePair<string, string>>[] stats, string command) => CommandStats.Calls(stats, command);

    private static string Describe(IGrouping<string, KeyValuePair<string, string>>[] before, IGrouping<string, KeyValuePair<string, string>>[] after) =>
        string.Join(", ", CacheCommands.Select(name => (name, calls: Calls(after, name) - Calls(before, name))).Where(c => c.calls > 0).Select(c => $"{c.name} {c.calls}"));
}
