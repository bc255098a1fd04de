namespace EdgeGuard.Proxy.Tests.Redis;

/// <summary>
/// A Redis that hangs (SIGSTOP: connections open, nothing answered) is a fault like one that dies. Under load
/// through a freeze, no request may fail with a 5xx (once 12–34 per freeze, a TaskCanceledException out of the
/// Redis store) or wait for Redis longer than its timeout.
/// </summary>
[Integration]
[Collection(RedisCollection.Name)]
public sealed class RedisFreezeTests : RedisBedTests
{
    private static readonly string[] Cached = ["SKU-1", "SKU-2", "SKU-3"];
    private static readonly string[] Cold = Enumerable.Range(0, 400).Select(i => $"COLD-{i}").ToArray();

    protected override IEnumerable<string> Products => [.. Cached, .. Cold];

    protected override IEnumerable<string> Missing => [FalsePositive];

    [Fact]
    public async Task Frozen_redis_under_load_yields_no_5xx_and_no_request_waits_for_it()
    {
        foreach (var id in Cached)
        {
            using var warm = await Bed.GetAsync(id);
        }

        var answers = new ConcurrentBag<(HttpStatusCode Status, string Source, TimeSpan Elapsed, string Id)>();
        var cold = 0;
        using var stop = new CancellationTokenSource();
        var load = Enumerable.Range(0, 6).Select(worker => Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var id = (i % 4) switch
                {
                    0 => Cached[i % Cached.Length],
                    1 => Cold[Interlocked.Increment(ref cold) % Cold.Length], // misses: Redis get, fetch, Redis set
                    2 => FalsePositive,
                    _ => $"NOPE-{worker}-{i}",                               // Bloom rejects
                };
                var stopwatch = Stopwatch.StartNew();
                using var response = await Bed.Client.GetAsync($"/products/{id}");
                answers.Add((response.StatusCode, response.Headers.TryGetValues("X-EdgeGuard-Source", out var source) ? source.First() : "", stopwatch.Elapsed, id));
            }
        })).ToList();

        await Task.Delay(300); // load before the freeze (not a race: only throughput is wanted here)
        Bed.Redis.Freeze();
        try
        {
            await Task.Delay(2_000);
        }
        finally
        {
            Bed.Redis.Thaw();
        }

        await Task.Delay(500);
        await stop.CancelAsync();
        await Task.WhenAll(load);

        var serverErrors = answers.Where(a => (int)a.Status >= 500).ToList();
        Assert.True(serverErrors.Count == 0, $"{serverErrors.Count} of {answers.Count} answers were 5xx: {string.Join("; ", serverErrors.Take(5))}");
        Assert.True(answers.Count > 100, $"only {answers.Count} requests ran through the freeze");
        Assert.All(answers.Where(a => a.Id.StartsWith("SKU-", StringComparison.Ordinal) && a.Id != FalsePositive), a => Assert.Equal(HttpStatusCode.OK, a.Status));
        // Missing ids stay 404s. The filter keeps rejecting them, but an instance whose heartbeat Redis did not answer
        // may forward a few until it has caught up (its trust lapses; the catalog answers 404): never a 200 or a 5xx,
        // and the shield holds for all but a handful.
        var missing = answers.Where(a => a.Id.StartsWith("NOPE-", StringComparison.Ordinal)).ToList();
        Assert.All(missing, a => Assert.Equal(HttpStatusCode.NotFound, a.Status));
        Assert.True(missing.Count(a => a.Source == "bloom") >= missing.Count * 0.99,
            $"{missing.Count(a => a.Source != "bloom")} of {missing.Count} missing ids were not rejected by the filter");
        // Redis's timeout in this bed is 500 ms: a miss as the freeze begins waits for it once (the cache read; a first
        // fetch whose read went unanswered takes no lock); once the circuit is open, misses skip Redis altogether. The
        // bound leaves a busy machine two more timeouts.
        var slowest = answers.MaxBy(a => a.Elapsed);
        Assert.True(slowest.Elapsed < TimeSpan.FromSeconds(1.5), $"slowest answer took {slowest.Elapsed.TotalMilliseconds:F0} ms: {slowest}");
    }
}
