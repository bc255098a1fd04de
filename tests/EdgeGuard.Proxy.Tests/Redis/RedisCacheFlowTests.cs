namespace EdgeGuard.Proxy.Tests.Redis;

/// <summary>The product flow with <c>REDIS_URL</c> pointing at a real redis-server: keys, values and TTLs checked in Redis.</summary>
[Integration]
[Collection(RedisCollection.Name)]
public sealed class RedisCacheFlowTests : RedisBedTests
{
    [Fact]
    public async Task Existing_id_is_stored_in_redis_with_the_positive_ttl_and_served_from_there()
    {
        using var first = await Bed.GetAsync(Existing);
        using var second = await Bed.GetAsync(Existing);

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal("upstream", first.Source);
        Assert.Equal(HttpStatusCode.OK, second.Status);
        Assert.Equal("cache", second.Source);
        Assert.Equal("application/json", second.Response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(RedisTestBed.Body(Existing), second.Body);
        Assert.Equal(1, Bed.UpstreamReads(Existing));

        var entry = await Bed.EntryAsync(Existing);
        Assert.Equal(new StoredEntry(1, StoredEntry.Answer, 200), entry);
        // Kept in Redis as long as it may serve as a fallback while the catalog fails (fail-safe).
        var ttl = await Bed.Db.KeyTimeToLiveAsync(RedisTestBed.Key(Existing));
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromMinutes(55), TimeSpan.FromHours(1));

        // A second instance (an empty memory) is served from Redis, without asking the catalog.
        await using var other = Bed.Builder.InProcess();
        using var otherClient = await other.CreateReadyClientAsync();
        using var fromRedis = await otherClient.GetAsync($"/products/{Existing}");
        Assert.Equal("cache", fromRedis.Source());
        Assert.Equal(RedisTestBed.Body(Existing), await fromRedis.Content.ReadAsStringAsync());
        Assert.Equal(1, Bed.UpstreamReads(Existing));
    }

    [Fact]
    public async Task False_positive_is_stored_in_redis_as_a_negative_entry_with_the_negative_ttl()
    {
        Assert.Equal((HttpStatusCode.NotFound, "upstream"), await Bed.Client.ReadAsync(FalsePositive));
        using (var negative = await Bed.GetAsync(FalsePositive))
        {
            Assert.Equal((HttpStatusCode.NotFound, "negative-cache"), (negative.Status, negative.Source));
            Assert.Contains("\"exists\":false", negative.Body, StringComparison.Ordinal);
        }

        Assert.Equal((HttpStatusCode.NotFound, "negative-cache"), await Bed.Client.ReadAsync(FalsePositive));
        Assert.Equal(1, Bed.UpstreamReads(FalsePositive));

        var entry = await Bed.EntryAsync(FalsePositive);
        Assert.Equal(StoredEntry.Negative, entry?.Kind);
        var ttl = await Bed.Db.KeyTimeToLiveAsync(RedisTestBed.Key(FalsePositive));
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, RedisTestBed.NegativeTtl - RedisTestBed.NegativeTtlJitter - TimeSpan.FromSeconds(5), RedisTestBed.NegativeTtl);
    }

    [Fact]
    public async Task Bloom_reject_writes_nothing_to_redis_and_calls_no_upstream()
    {
        using var response = await Bed.GetAsync(Unknown);

        Assert.Equal(HttpStatusCode.NotFound, response.Status);
        Assert.Equal("bloom", response.Source);
        Assert.Equal(0, Bed.Upstream.Calls());
        Assert.Empty(Bed.Server.Keys(pattern: "cache:product:*"));
    }

    [Fact]
    public async Task Post_removes_the_negative_entry_so_the_new_product_is_served_at_once()
    {
        using (var miss = await Bed.GetAsync(Created))
        using (var negative = await Bed.GetAsync(Created))
        {
            Assert.Equal("upstream", miss.Source);
            Assert.Equal("negative-cache", negative.Source);
        }

        Assert.Equal(StoredEntry.Negative, (await Bed.EntryAsync(Created))?.Kind);

        Bed.StubProduct(Created);
        using var created = await Bed.CreateAsync(Created);
        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.False(await Bed.KeyExistsAsync(Created), "The negative entry is still in Redis after a successful POST.");

        using var read = await Bed.GetAsync(Created);
        Assert.Equal(HttpStatusCode.OK, read.Status);
        Assert.Equal("upstream", read.Source);
        Assert.Equal(RedisTestBed.Body(Created), read.Body);
        using var again = await Bed.GetAsync(Created);
        Assert.Equal("cache", again.Source);
        Assert.Equal(StoredEntry.Answer, (await Bed.EntryAsync(Created))?.Kind);
        Assert.Equal(2, Bed.UpstreamReads(Created));
    }
}
