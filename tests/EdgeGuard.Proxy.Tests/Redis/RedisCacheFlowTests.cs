using System.Net;
using EdgeGuard.Proxy.Tests.Infrastructure;

namespace EdgeGuard.Proxy.Tests.Redis;

/// <summary>The product flow with <c>REDIS_URL</c> pointing at a real redis-server: keys, values and TTLs checked in Redis.</summary>
[Integration]
[Collection(RedisCollection.Name)]
public sealed class RedisCacheFlowTests : IAsyncLifetime
{
    private const string Existing = "SKU-1";
    private const string FalsePositive = "SKU-GHOST";
    private const string Created = "SKU-NEW";
    private const string Unknown = "NOPE-404";

    private RedisTestBed _bed = null!;

    public async Task InitializeAsync()
    {
        _bed = await RedisTestBed.StartAsync([Existing, FalsePositive, Created]);
        _bed.StubProduct(Existing);
        _bed.StubMissing(FalsePositive);
        _bed.StubMissing(Created);
    }

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    [Fact]
    public async Task Existing_id_is_stored_in_redis_with_the_positive_ttl_and_served_from_there()
    {
        using var first = await _bed.GetAsync(Existing);
        using var second = await _bed.GetAsync(Existing);

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal("upstream", first.Source);
        Assert.Equal(HttpStatusCode.OK, second.Status);
        Assert.Equal("cache", second.Source);
        Assert.Equal("application/json", second.Response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(RedisTestBed.Body(Existing), second.Body);
        Assert.Equal(1, _bed.UpstreamReads(Existing));

        var entry = await _bed.EntryAsync(Existing);
        Assert.Equal(new StoredEntry(1, StoredEntry.Answer, 200), entry);
        // Kept in Redis as long as it may serve as a fallback while the catalog fails (fail-safe).
        var ttl = await _bed.Db.KeyTimeToLiveAsync(RedisTestBed.Key(Existing));
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromMinutes(55), TimeSpan.FromHours(1));

        // A second instance (an empty memory) is served from Redis, without asking the catalog.
        await using var other = _bed.Builder.InProcess();
        using var otherClient = await other.CreateReadyClientAsync();
        using var fromRedis = await otherClient.GetAsync($"/products/{Existing}");
        Assert.Equal("cache", fromRedis.Source());
        Assert.Equal(RedisTestBed.Body(Existing), await fromRedis.Content.ReadAsStringAsync());
        Assert.Equal(1, _bed.UpstreamReads(Existing));
    }

    [Fact]
    public async Task False_positive_is_stored_in_redis_as_a_negative_entry_with_the_negative_ttl()
    {
        using var first = await _bed.GetAsync(FalsePositive);
        using var second = await _bed.GetAsync(FalsePositive);
        using var third = await _bed.GetAsync(FalsePositive);

        Assert.Equal(HttpStatusCode.NotFound, first.Status);
        Assert.Equal("upstream", first.Source);
        Assert.Equal(HttpStatusCode.NotFound, second.Status);
        Assert.Equal("negative-cache", second.Source);
        Assert.Contains("\"exists\":false", second.Body, StringComparison.Ordinal);
        Assert.Equal("negative-cache", third.Source);
        Assert.Equal(1, _bed.UpstreamReads(FalsePositive));

        var entry = await _bed.EntryAsync(FalsePositive);
        Assert.Equal(StoredEntry.Negative, entry?.Kind);
        var ttl = await _bed.Db.KeyTimeToLiveAsync(RedisTestBed.Key(FalsePositive));
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, RedisTestBed.NegativeTtl - RedisTestBed.NegativeTtlJitter - TimeSpan.FromSeconds(5), RedisTestBed.NegativeTtl);
    }

    [Fact]
    public async Task Bloom_reject_writes_nothing_to_redis_and_calls_no_upstream()
    {
        using var response = await _bed.GetAsync(Unknown);

        Assert.Equal(HttpStatusCode.NotFound, response.Status);
        Assert.Equal("bloom", response.Source);
        Assert.Equal(0, _bed.Upstream.Calls());
        Assert.Empty(_bed.Server.Keys(pattern: "cache:product:*"));
    }

    [Fact]
    public async Task Post_removes_the_negative_entry_so_the_new_product_is_served_at_once()
    {
        using (var miss = await _bed.GetAsync(Created))
        using (var negative = await _bed.GetAsync(Created))
        {
            Assert.Equal("upstream", miss.Source);
            Assert.Equal("negative-cache", negative.Source);
        }

        Assert.Equal(StoredEntry.Negative, (await _bed.EntryAsync(Created))?.Kind);

        _bed.StubProduct(Created);
        using var created = await _bed.CreateAsync(Created);
        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.False(await _bed.KeyExistsAsync(Created), "The negative entry is still in Redis after a successful POST.");

        using var read = await _bed.GetAsync(Created);
        Assert.Equal(HttpStatusCode.OK, read.Status);
        Assert.Equal("upstream", read.Source);
        Assert.Equal(RedisTestBed.Body(Created), read.Body);
        using var again = await _bed.GetAsync(Created);
        Assert.Equal("cache", again.Source);
        Assert.Equal(StoredEntry.Answer, (await _bed.EntryAsync(Created))?.Kind);
        Assert.Equal(2, _bed.UpstreamReads(Created));
    }
}
