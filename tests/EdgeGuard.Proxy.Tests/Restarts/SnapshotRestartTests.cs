using System.Net;
using EdgeGuard.Proxy.Observability;
using EdgeGuard.Proxy.Tests.Infrastructure;

namespace EdgeGuard.Proxy.Tests.Restarts;

/// <summary>
/// A restart never makes the window in which a product created behind the gateway's back is rejected longer than it
/// is while running, and a snapshot of other sources never rejects. Real gateway processes, one working directory
/// with the default snapshot location, a catalog over real HTTP whose id list (the rebuild's source) the test holds:
/// every assertion is made while the rebuild at start cannot have ended.
/// </summary>
[Integration]
public sealed class SnapshotRestartTests
{
    private static readonly TimeSpan Ready = TimeSpan.FromSeconds(60);

    private static IEnumerable<string> Ids(string prefix, int count) => Enumerable.Range(0, count).Select(i => $"{prefix}-{i:D8}");

    [Fact]
    public async Task A_snapshot_built_from_another_catalog_is_never_used_to_reject()
    {
        await using var bed = new RestartBed();
        await using var catalogA = await ScriptedCatalog.StartAsync(Ids("AAA", 2_000));
        var first = bed.Start(catalogA.Url);
        await first.WaitUntilReadyAsync(Ready);
        await first.StopAsync(TimeSpan.FromSeconds(10));
        Assert.True(File.Exists(bed.SnapshotFile), "the first gateway left no snapshot in the default location");

        await using var catalogB = await ScriptedCatalog.StartAsync(Ids("BBB", 5_000));
        catalogB.HoldIdList();
        var second = bed.Start(catalogB.Url);
        await RestartBed.WaitUntilServingAsync(second);
        await Eventually.TrueAsync(() => Task.FromResult(catalogB.IdListReads > 0), TimeSpan.FromSeconds(30), "the rebuild from catalog B never began");
        using var client = second.CreateClient();

        var stats = await RestartBed.StatsAsync(client);
        Assert.Equal("ignored-other-sources", stats.GetProperty("snapshot").GetString());
        Assert.False(stats.GetProperty("ready").GetBoolean());
        foreach (var id in Ids("BBB", 5_000).Where((_, i) => i % 97 == 0))
        {
            Assert.Equal((HttpStatusCode.OK, AnswerSource.Upstream), await RestartBed.ReadAsync(client, id));
        }

        Assert.Equal((HttpStatusCode.NotFound, AnswerSource.Upstream), await RestartBed.ReadAsync(client, "AAA-00000005")); // forwarded, B says 404
        using (var readiness = await client.GetAsync("/health/ready"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, readiness.StatusCode);
        }

        catalogB.OpenIdList();
        await second.WaitUntilReadyAsync(Ready);
        Assert.Equal((HttpStatusCode.NotFound, AnswerSource.Bloom), await RestartBed.ReadAsync(client, "AAA-00000005"));
        Assert.Equal((HttpStatusCode.OK, AnswerSource.Upstream), await RestartBed.ReadAsync(client, "BBB-00000007"));
        Assert.Contains("ignored-other-sources", second.Output, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_snapshot_older_than_ReloadInterval_forwards_until_the_rebuild_ends()
    {
        var settings = new Dictionary<string, string?> { ["EdgeGuard__Bloom__ReloadInterval"] = "00:00:01" };
        await using var bed = new RestartBed();
        await using var catalog = await ScriptedCatalog.StartAsync(Ids("OLD", 2_000));
        var first = bed.Start(catalog.Url, settings);
        await first.WaitUntilReadyAsync(Ready);
        await first.StopAsync(TimeSpan.FromSeconds(10));

        // Down for longer than ReloadInterval (the snapshot's sources were read before its file was written), while
        // products are created on the catalog itself.
        var written = File.GetLastWriteTimeUtc(bed.SnapshotFile);
        await Eventually.TrueAsync(() => Task.FromResult(DateTime.UtcNow > written + TimeSpan.FromSeconds(1.5)), TimeSpan.FromSeconds(10), "time stood still");
        var created = Ids("NEW", 200).ToList();
        catalog.Add(created);
        catalog.HoldIdList();
        var reads = catalog.IdListReads;

        var second = bed.Start(catalog.Url, settings);
        await RestartBed.WaitUntilServingAsync(second);
        await Eventually.TrueAsync(() => Task.FromResult(catalog.IdListReads > reads), TimeSpan.FromSeconds(30), "the rebuild never began");
        using var client = second.CreateClient();

        Assert.Equal("restored-waiting", (await RestartBed.StatsAsync(client)).GetProperty("snapshot").GetString());
        foreach (var id in created)
        {
            Assert.Equal((HttpStatusCode.OK, AnswerSource.Upstream), await RestartBed.ReadAsync(client, id));
        }

        using (var asked = new HttpRequestMessage(HttpMethod.Get, "/health/ready") { Headers = { { "Accept", "application/json" } } })
        using (var readiness = await client.SendAsync(asked))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, readiness.StatusCode);
            Assert.Contains("restored-waiting", await readiness.Content.ReadAsStringAsync());
        }

        catalog.OpenIdList();
        await second.WaitUntilReadyAsync(Ready);
        Assert.Equal("restored", (await RestartBed.StatsAsync(client)).GetProperty("snapshot").GetString());
        Assert.Equal((HttpStatusCode.NotFound, AnswerSource.Bloom), await RestartBed.ReadAsync(client, "NEVER-1"));
        Assert.Equal(HttpStatusCode.OK, (await RestartBed.ReadAsync(client, "NEW-00000199")).Status);
    }

    [Fact]
    public async Task A_young_snapshot_rejects_from_the_first_ready_moment_while_the_rebuild_cannot_end()
    {
        await using var bed = new RestartBed();
        await using var catalog = await ScriptedCatalog.StartAsync(Ids("YNG", 2_000));
        var first = bed.Start(catalog.Url);
        await first.WaitUntilReadyAsync(Ready);
        await first.StopAsync(TimeSpan.FromSeconds(10));

        catalog.HoldIdList();
        var second = bed.Start(catalog.Url);
        await second.WaitUntilReadyAsync(Ready);
        using var client = second.CreateClient();

        Assert.Equal("restored", (await RestartBed.StatsAsync(client)).GetProperty("snapshot").GetString());
        Assert.Equal((HttpStatusCode.NotFound, AnswerSource.Bloom), await RestartBed.ReadAsync(client, "NEVER-1"));
        Assert.Equal((HttpStatusCode.OK, AnswerSource.Upstream), await RestartBed.ReadAsync(client, "YNG-00000042"));
        catalog.OpenIdList();
    }

    [Fact]
    public async Task A_second_gateway_on_the_same_snapshot_path_is_refused_naming_the_setting()
    {
        await using var bed = new RestartBed();
        await using var catalog = await ScriptedCatalog.StartAsync(Ids("TWO", 100));
        var first = bed.Start(catalog.Url);
        await first.WaitUntilReadyAsync(Ready);

        var second = bed.Start(catalog.Url);
        var exitCode = await second.WaitForExitAsync(TimeSpan.FromSeconds(60));

        GatewayProcess.AssertRefused((exitCode, second.StandardOutput, second.StandardError), "EdgeGuard:Bloom:SnapshotPath");
        Assert.Contains("EdgeGuard__Bloom__SnapshotPath", second.StandardError);
        using var client = first.CreateClient();
        Assert.Equal((HttpStatusCode.NotFound, AnswerSource.Bloom), await RestartBed.ReadAsync(client, "NEVER-1")); // the first goes on
    }
}
