using System.Diagnostics;
using System.Net;
using EdgeGuard.Proxy.Observability;
using EdgeGuard.Proxy.Tests.Infrastructure;

namespace EdgeGuard.Proxy.Tests.CatalogHealth;

/// <summary>
/// A catalog that comes back is served again within 3 s. The real catalog as a process: killed while reads of ids never
/// cached go on (the passive check takes it out of service: fast 503s, a cached answer served stale), then started again
/// on the same port. From the moment it answers its health path, a read of an id never cached is answered 200 within
/// 3 s (the active probe ends the passive check's reactivation period instead of waiting it out).
/// </summary>
[Integration]
public sealed class CatalogRecoveryTests
{
    private static readonly TimeSpan Recovery = TimeSpan.FromSeconds(3);

    private static IEnumerable<string> Ids(int count) => Enumerable.Range(0, count).Select(i => $"REC-{i:D6}");

    [Fact]
    public async Task Reads_of_ids_never_cached_are_served_within_3_s_of_the_catalog_answering_again()
    {
        await using var catalog = await CatalogProcess.StartAsync(Ids(2_000));
        var productsFile = Path.Combine(Directory.CreateTempSubdirectory("edgeguard-recovery-").FullName, "products.txt");
        await File.WriteAllLinesAsync(productsFile, Ids(2_000));
        await using var gateway = GatewayProcess.Start(new Dictionary<string, string?>
        {
            ["UPSTREAM_URL"] = catalog.Url,
            ["PRODUCTS_FILE"] = productsFile,
            ["EdgeGuard__Bloom__LoadFromCatalog"] = "false",
            ["EdgeGuard__Bloom__SnapshotPath"] = "",
            ["EdgeGuard__Cache__PositiveTtl"] = "00:00:01",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__EdgeGuard.Proxy.CatalogHealth"] = "Information",
        });
        await gateway.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
        using var client = gateway.CreateClient();
        var next = 0;
        string Fresh() => $"REC-{next++:D6}";

        var cached = Fresh();
        Assert.Equal((HttpStatusCode.OK, AnswerSource.Upstream), await ReadAsync(client, cached));
        var cachedAt = Stopwatch.StartNew();

        catalog.Kill();
        // Reads go on until the catalog is out of service: each of them then fails at once, without trying it.
        await Eventually.TrueAsync(async () => (await ReadAsync(client, Fresh())).Status == HttpStatusCode.ServiceUnavailable,
            TimeSpan.FromSeconds(30), "the gateway never took the dead catalog out of service");
        await Eventually.TrueAsync(() => Task.FromResult(cachedAt.Elapsed > TimeSpan.FromSeconds(1.2)), TimeSpan.FromSeconds(5), "time stood still");
        Assert.Equal((HttpStatusCode.OK, AnswerSource.Stale), await ReadAsync(client, cached)); // expired: its last good answer

        await catalog.StartAsync(); // returns once the catalog answers its health path
        var back = Stopwatch.StartNew();
        (HttpStatusCode Status, string Source) read;
        do
        {
            read = await ReadAsync(client, Fresh());
        }
        while (read.Status != HttpStatusCode.OK && back.Elapsed < TimeSpan.FromSeconds(20) && await Task.Delay(50).ContinueWith(_ => true));

        Assert.Equal((HttpStatusCode.OK, AnswerSource.Upstream), read);
        Assert.True(back.Elapsed <= Recovery, $"reads of uncached ids were served again {back.Elapsed.TotalSeconds:F1} s after the catalog answered");
        Assert.Equal((HttpStatusCode.OK, AnswerSource.Upstream), await ReadAsync(client, Fresh()));
        Assert.Contains("answers its health probe again", gateway.Output);
    }

    private static async Task<(HttpStatusCode Status, string Source)> ReadAsync(HttpClient client, string id)
    {
        using var response = await client.GetAsync($"/products/{id}");
        return (response.StatusCode, response.Source());
    }
}
