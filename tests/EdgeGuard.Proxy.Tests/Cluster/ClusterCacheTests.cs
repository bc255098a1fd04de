namespace EdgeGuard.Proxy.Tests.Cluster;

/// <summary>
/// The cache tier across three instances: concurrent first misses for one id cost at most one catalog request per
/// instance (a first fetch takes no distributed lock); once every instance has read it, a hot id costs one catalog
/// request per expiry, not one per instance (its refreshes take the lock), on a busy machine too; and each instance answers from its own memory once
/// warm. Each test has a cluster of its own.
/// </summary>
[Integration]
[Collection(ClusterCollection.Name)]
public sealed class ClusterCacheTests : IDisposable
{
    private const string BusyId = "HOT-BUSY-1";
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(2);

    /// <summary>A slow catalog, so the misses of three instances overlap (its own speed, not the test's timing).</summary>
    private static readonly TimeSpan SlowCatalog = TimeSpan.FromMilliseconds(300);

    /// <summary>
    /// The lock's first attempt gives up after RedisTimeout and the miss fetches without it (a slow Redis never holds a
    /// read): by design, but not what most of these tests are about, so Redis gets the time a busy machine needs.
    /// </summary>
    private static readonly TimeSpan PatientRedis = TimeSpan.FromSeconds(2);

    private readonly WireMockServer _catalog = Upstream.StartCatalog();

    public void Dispose() => _catalog.Stop();

    /// <summary>Three instances in front of the test's catalog, which lists and serves <paramref name="ids"/>; entries live <see cref="Ttl"/> in Redis and in memory.</summary>
    private Task<ClusterTestBed> ClusterAsync(string[] ids, TimeSpan? catalogDelay, TimeSpan redisTimeout)
    {
        _catalog.StubIdList(ids);
        foreach (var id in ids)
        {
            _catalog.StubProduct(id, delay: catalogDelay);
        }

        return ClusterTestBed.StartAsync([], settings: new Dictionary<string, string?>
        {
            ["EdgeGuard:Cache:PositiveTtl"] = Ttl.ToString(),
            ["EdgeGuard:Cache:MemoryTtl"] = Ttl.ToString(),
            ["EdgeGuard:Cache:RedisTimeout"] = redisTimeout.ToString(),
        }, upstreamUrl: _catalog.Url);
    }

    [Fact]
    public async Task Concurrent_first_misses_for_one_id_on_three_instances_make_at_most_one_catalog_request_each()
    {
        await using var bed = await ClusterAsync(["COLD-1"], SlowCatalog, PatientRedis);
        var reads = bed.Clients.SelectMany(client => Enumerable.Range(0, 30).Select(_ => client.GetAsync("/products/COLD-1"))).ToList();
        var answers = await Task.WhenAll(reads);

        Assert.All(answers, answer => Assert.Equal(HttpStatusCode.OK, answer.StatusCode));
        Assert.InRange(_catalog.CallsTo("/products/COLD-1"), 1, bed.Instances.Count);
        foreach (var answer in answers)
        {
            answer.Dispose();
        }
    }

    [Fact]
    public async Task Hot_id_read_through_three_instances_costs_one_catalog_request_per_expiry()
    {
        await using var bed = await ClusterAsync(["HOT-1"], SlowCatalog, PatientRedis);
        // Each instance's first read is a first fetch (at most one catalog request each); the expiries come after.
        var firstFetches = await WarmAsync(bed.Clients, "/products/HOT-1");
        var duration = TimeSpan.FromSeconds(7);
        var until = DateTime.UtcNow + duration;
        var readers = bed.Clients.Select(client => Task.Run(async () =>
        {
            var served = 0;
            while (DateTime.UtcNow < until)
            {
                using var response = await client.GetAsync("/products/HOT-1");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                served++;
            }

            return served;
        })).ToList();
        var served = (await Task.WhenAll(readers)).Sum();

        // A 2 s lifetime over 7 s: at most one fetch per lifetime.
        var calls = _catalog.CallsTo("/products/HOT-1") - firstFetches;
        // Enough reads to make the id hot on every instance in every lifetime (about ten per instance per lifetime);
        // a full run beside a CPU hog served 237 (every CI run had served over 300, the bound before).
        Assert.True(served > 100, $"only {served} reads");
        Assert.InRange(calls, 1, (int)Math.Ceiling(duration.TotalSeconds / 2));
    }

    /// <summary>
    /// One catalog request per entry lifetime holds on a busy machine too: a hot id, once every instance has read it, read by 24 readers over three
    /// instances for 10 s, with the default Redis timeout (100 ms), beside busy loops at nice 5 on every core. Each pair of
    /// consecutive catalog requests is at least most of a lifetime apart: a lifetime that cost two would show as two
    /// requests close together.
    /// </summary>
    [Fact]
    public async Task Hot_id_costs_one_catalog_request_per_lifetime_beside_a_cpu_hog()
    {
        await using var bed = await ClusterAsync([BusyId], catalogDelay: null, redisTimeout: TimeSpan.FromMilliseconds(100)); // the default, not the bed's generous one
        var clients = bed.Clients;
        // Each instance's first read is a first fetch (at most one catalog request each): the lifetimes are counted
        // from the last of them.
        var firstFetches = await WarmAsync(clients, "/products/" + BusyId);
        var duration = TimeSpan.FromSeconds(10);
        int served;
        using (CpuHog.Start())
        {
            var until = DateTime.UtcNow + duration;
            var readers = clients.SelectMany(client => Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
            {
                var count = 0;
                while (DateTime.UtcNow < until)
                {
                    using var response = await client.GetAsync("/products/" + BusyId);
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                    count++;
                }

                return count;
            }))).ToList();
            served = (await Task.WhenAll(readers)).Sum();
        }

        var fetches = _catalog.LogEntries.Where(entry => entry.RequestMessage?.Path == "/products/" + BusyId)
            .Select(entry => entry.RequestMessage!.DateTime).Order().Skip(firstFetches - 1).ToList();
        var gaps = fetches.Zip(fetches.Skip(1), (first, next) => next - first).ToList();

        Assert.True(served > 100, $"only {served} reads");
        Assert.True(fetches.Count >= 3, $"only {fetches.Count} catalog requests in {duration.TotalSeconds} s of 2 s lifetimes");
        Assert.True(gaps.All(gap => gap >= Ttl / 2),
            $"two catalog requests in one lifetime: gaps {string.Join(", ", gaps.Select(gap => $"{gap.TotalMilliseconds:F0} ms"))}{Environment.NewLine}" +
            string.Join(Environment.NewLine, bed.Instances.Select(instance => instance.Output)));
    }

    /// <summary>Reads <paramref name="path"/> once through every client at once: each instance's first fetch, at most
    /// one catalog request each. Returns the catalog requests they made.</summary>
    private async Task<int> WarmAsync(IReadOnlyList<HttpClient> clients, string path)
    {
        var answers = await Task.WhenAll(clients.Select(client => client.GetAsync(path)));
        foreach (var answer in answers)
        {
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            answer.Dispose();
        }

        var fetches = _catalog.CallsTo(path);
        Assert.InRange(fetches, 1, clients.Count);
        return fetches;
    }
}
