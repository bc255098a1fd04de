namespace EdgeGuard.Proxy.Tests.Redis;

/// <summary>
/// Redis failing under the gateway: killed, stalled, or alive but unreachable. Requests keep answering
/// correctly and quickly, the outage shows as Degraded, Redis is used again once back, and a cache removal
/// that failed meanwhile is not forgotten.
/// </summary>
[Integration]
[Collection(RedisCollection.Name)]
public sealed class RedisOutageTests : RedisBedTests
{
    /// <summary>Far above what a request takes (tens of ms), far below a hang on a dead Redis.</summary>
    private static readonly TimeSpan Quick = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Killed_redis_never_fails_or_slows_a_request_and_is_used_again_once_restarted()
    {
        using (var miss = await Bed.GetAsync(Existing))
        using (var hit = await Bed.GetAsync(Existing))
        {
            Assert.Equal("cache", hit.Source);
        }

        Bed.Redis.Kill();

        const int rounds = 8;
        for (var round = 0; round < rounds; round++)
        {
            // Served from this instance's memory (L1) or the catalog: never an error, never slow.
            using var existing = await Bed.GetAsync(Existing);
            Assert.Equal(HttpStatusCode.OK, existing.Status);
            Assert.Contains(existing.Source, new[] { "cache", "upstream" });
            Assert.Equal(RedisTestBed.Body(Existing), existing.Body);
            Assert.True(existing.Elapsed < Quick, $"Round {round}: {existing}");

            using var unknown = await Bed.GetAsync(Unknown);
            Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
            Assert.Equal("bloom", unknown.Source);
            Assert.True(unknown.Elapsed < Quick, $"Round {round}: {unknown}");

            using var falsePositive = await Bed.GetAsync(FalsePositive);
            Assert.Equal(HttpStatusCode.NotFound, falsePositive.Status);
            Assert.Contains(falsePositive.Source, new[] { "negative-cache", "upstream" });
            Assert.True(falsePositive.Elapsed < Quick, $"Round {round}: {falsePositive}");
        }

        // Without Redis the memory still answers; Bloom rejects still cost nothing.
        Assert.InRange(Bed.UpstreamReads(Existing), 1, 1 + rounds);
        Assert.InRange(Bed.UpstreamReads(FalsePositive), 1, rounds);
        Assert.Equal(0, Bed.UpstreamReads(Unknown));
        Assert.NotNull(await Bed.DegradationAsync());
        await Bed.Client.WaitForReadinessAsync("Degraded", TimeSpan.FromSeconds(5));

        await Bed.Redis.StartAsync(CancellationToken.None);

        // The restarted Redis is empty: the gateway is using it again once a fresh read lands there.
        await Eventually.TrueAsync(async () =>
        {
            using var response = await Bed.GetAsync(Later);
            Assert.Equal(HttpStatusCode.OK, response.Status);
            Assert.True(response.Elapsed < Quick, response.ToString());
            return await Bed.KeyExistsAsync(Later);
        }, TimeSpan.FromSeconds(15), $"the gateway never wrote {Later} to the restarted Redis");

        var readsBefore = Bed.UpstreamReads(Later);
        using (var hit = await Bed.GetAsync(Later))
        {
            Assert.Equal(HttpStatusCode.OK, hit.Status);
            Assert.Equal("cache", hit.Source);
            Assert.Equal(RedisTestBed.Body(Later), hit.Body);
        }

        Assert.Equal(readsBefore, Bed.UpstreamReads(Later));

        using (var miss = await Bed.GetAsync(FalsePositive))
        using (var negative = await Bed.GetAsync(FalsePositive))
        {
            Assert.Equal("negative-cache", negative.Source);
        }

        await Bed.Client.WaitForReadinessAsync("Healthy", TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Readiness_recovers_after_a_restart_without_any_product_traffic()
    {
        Bed.Redis.Kill();
        await Eventually.TrueAsync(async () =>
        {
            using var response = await Bed.GetAsync(Existing);
            Assert.Equal(HttpStatusCode.OK, response.Status);
            return await Bed.DegradationAsync() is not null;
        }, TimeSpan.FromSeconds(5), "the outage was never noticed");
        await Bed.Client.WaitForReadinessAsync("Degraded", TimeSpan.FromSeconds(5));

        await Bed.Redis.StartAsync(CancellationToken.None);

        // Only readiness probes from here on: they must close the circuit themselves.
        await Bed.Client.WaitForReadinessAsync("Healthy", TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task Write_while_redis_stalls_is_refused_before_forwarding_and_goes_through_once_redis_is_back()
    {
        await NegativelyCacheAsync(Created);
        Bed.StubProduct(Created);

        // Redis stops answering anyone for 3 s (the gateway gives a call 500 ms, and waits 2 s for the cluster).
        var stall = Bed.Redis.SendAsync("DEBUG", "SLEEP", "3");
        await Task.Delay(100);
        Assert.False(stall.IsCompleted, "DEBUG SLEEP returned at once: " + (stall.IsCompleted ? await stall : ""));

        using (var refused = await Bed.CreateAsync(Created))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.Status);
            Assert.NotNull(refused.Response.Headers.RetryAfter);
            Assert.Contains("nothing was forwarded", refused.Body, StringComparison.Ordinal);
        }

        Assert.Equal(0, Bed.Upstream.LogEntries.Count(e => e.RequestMessage?.Method == "POST"));
        using (var read = await Bed.GetAsync(Existing))
        {
            Assert.Equal(HttpStatusCode.OK, read.Status); // reads keep working
        }

        Assert.StartsWith("+OK", await stall, StringComparison.Ordinal);
        await Bed.Client.CreateProductOnceAcceptedAsync(Created, TimeSpan.FromSeconds(15), "the write was never accepted once Redis was back");

        using var after = await Bed.GetAsync(Created);
        Assert.Equal(HttpStatusCode.OK, after.Status);
        Assert.Equal(RedisTestBed.Body(Created), after.Body);
    }

    [Fact]
    public async Task Write_while_the_gateway_is_cut_off_from_redis_is_refused_and_a_stale_negative_entry_is_never_served()
    {
        await NegativelyCacheAsync(Created);
        await Bed.CutGatewayOffAsync();

        Bed.StubProduct(Created);
        using (var refused = await Bed.CreateAsync(Created))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.Status);
            Assert.True(refused.Elapsed < TimeSpan.FromSeconds(3), refused.ToString());
        }

        await Bed.LetGatewayBackAsync();
        await Bed.Client.CreateProductOnceAcceptedAsync(Created, TimeSpan.FromSeconds(15), "the write was never accepted once the gateway was back");

        using var read = await Bed.GetAsync(Created);
        Assert.Equal(HttpStatusCode.OK, read.Status);
        Assert.Equal(RedisTestBed.Body(Created), read.Body);
        await Eventually.TrueAsync(async () =>
        {
            using var again = await Bed.GetAsync(Created);
            Assert.Equal(HttpStatusCode.OK, again.Status);
            return again.Source == "cache";
        }, TimeSpan.FromSeconds(10), "the gateway never cached the product in Redis again");
    }

    private async Task NegativelyCacheAsync(string id)
    {
        using (var miss = await Bed.GetAsync(id))
        using (var negative = await Bed.GetAsync(id))
        {
            Assert.Equal("upstream", miss.Source);
            Assert.Equal("negative-cache", negative.Source);
        }

        Assert.Equal(StoredEntry.Negative, (await Bed.EntryAsync(id))?.Kind);
    }
}
