using EdgeGuard.Proxy.Tests.Infrastructure;
using EdgeGuard.Proxy.Tests.Redis;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace EdgeGuard.Proxy.Tests.Cluster;

/// <summary>
/// An instance that stopped (frozen, cut off) while the log trimmed past where it was must reload, whichever of its
/// two loops notices first. The apply loop may read what is left of the log before the heartbeat sees that the
/// instance lost its membership: applying it would move the instance's position past the hole, and the heartbeat's
/// check would then find nothing missing. Here the heartbeat is held (its clock is the test's), the hole is made in
/// one script (the instance cannot read the entry before it is trimmed), and only then is the heartbeat let go.
/// </summary>
[Integration]
[Collection(RedisCollection.Name)]
public sealed class LogGapTests
{
    private const string ClusterLogMessages = "{edgeguard}:log";
    private const string Instance = "gw-gap";
    private const string CreatedWhileAway = "CREATED-WHILE-AWAY";
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(20);

    // Appends the entry for the id, then enough others, each trimming the log to 100 entries exactly, that the
    // id's entry is gone; all at once. Returns the last entry's id.
    private const string AppendAndTrimPastScript = """
        redis.call('XADD', KEYS[1], '*', 'op', 'add', 'ids', ARGV[1])
        local last
        for i = 1, 300 do
          last = redis.call('XADD', KEYS[1], 'MAXLEN', '100', '*', 'op', 'add', 'ids', 'FILLER-' .. i)
        end
        return last
        """;

    [Fact]
    public async Task Apply_loop_that_reads_past_a_trimmed_hole_reloads_instead_of_trusting_what_is_left()
    {
        await using var redis = await RedisServer.StartAsync();
        var upstream = Upstream.StartCatalog();
        try
        {
            upstream.Given(Request.Create().WithPath($"/products/{CreatedWhileAway}").UsingGet())
                .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody("{}"));
            var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
            await using var gateway = new GatewayFactory(upstream.Url!, ["SKU-1", "SKU-2"], new Dictionary<string, string?>
            {
                ["REDIS_URL"] = redis.Url,
                ["EDGEGUARD_INSTANCE_ID"] = Instance,
                // Trust lapses two seconds after the last heartbeat, and heartbeats only come when the test moves the clock.
                ["EdgeGuard:Cluster:HeartbeatInterval"] = "00:00:01",
                ["EdgeGuard:Cluster:MembershipTtl"] = "00:00:03",
                ["EdgeGuard:Cache:RedisTimeout"] = "00:00:00.500",
            }, time);
            using var client = gateway.CreateClient();
            await Eventually.TrueAsync(async () =>
            {
                time.Advance(TimeSpan.FromSeconds(1)); // a heartbeat, so that it is trusted once it has loaded
                using var ready = await client.GetAsync("/health/ready");
                return ready.IsSuccessStatusCode;
            }, Within, "the gateway to be ready");
            using var admin = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{redis.Port}");
            var db = admin.GetDatabase();

            // No heartbeat from here: its trust lapses (missing ids are forwarded, not rejected) and its membership expires.
            await Eventually.TrueAsync(async () => (await ReadAsync(client, $"NEVER-{Guid.NewGuid():N}")) != "bloom", Within, "trust to lapse");
            await Eventually.TrueAsync(
                async () => await db.SortedSetScoreAsync("{edgeguard}:members", Instance) is not { } expiry || expiry <= DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
                Within, "its membership to expire");

            // Meanwhile the catalog gains a product (the sources have it), and its log entry is trimmed away unseen.
            await File.AppendAllLinesAsync(gateway.ProductsFile, [CreatedWhileAway]);
            var last = (string)(await db.ScriptEvaluateAsync(AppendAndTrimPastScript, [ClusterLogMessages], [CreatedWhileAway]))!;

            // The apply loop gets to the end of the log (applying what is left, or reloading) before any heartbeat.
            await Eventually.TrueAsync(async () => (string?)await db.HashGetAsync("{edgeguard}:positions", Instance) == last, Within, "the instance to reach the log's end");

            // Heartbeats again: from here on the product is never rejected, and the filter is trusted again once reloaded.
            await Eventually.TrueAsync(async () =>
            {
                time.Advance(TimeSpan.FromSeconds(1));
                Assert.NotEqual("bloom", await ReadAsync(client, CreatedWhileAway));
                return await ReadAsync(client, $"NEVER-{Guid.NewGuid():N}") == "bloom";
            }, Within, "the instance to trust its filter again");
            Assert.NotEqual("bloom", await ReadAsync(client, CreatedWhileAway));
        }
        finally
        {
            upstream.Stop();
        }
    }

    private static async Task<string> ReadAsync(HttpClient client, string id)
    {
        using var response = await client.GetAsync($"/products/{id}");
        return response.Source();
    }
}
