using System.Net;
using EdgeGuard.Proxy.Tests.Infrastructure;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace EdgeGuard.Proxy.Tests.Cluster;

/// <summary>
/// One catalog request per entry lifetime across three instances holds on a busy machine too: a hot id with a 2 s
/// lifetime read by 24 readers over three instances for 10 s, with the default Redis timeout (100 ms), beside busy
/// loops at nice 5 on every core. Each pair of consecutive catalog requests is at least most of a lifetime apart: a
/// lifetime that cost two would show as two requests close together.
/// </summary>
[Integration]
[Collection(ClusterCollection.Name)]
public sealed class BusyMachineStampedeTests : IAsyncLifetime
{
    private const string Id = "HOT-BUSY-1";
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(2);
    private readonly WireMockServer _catalog = Upstream.StartCatalog();
    private ClusterTestBed _bed = null!;

    public async Task InitializeAsync()
    {
        _catalog.Given(Request.Create().WithPath("/products/ids").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "text/plain").WithBody(Id + "\n"));
        _catalog.Given(Request.Create().WithPath("/products/" + Id).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody($$"""{"id":"{{Id}}"}"""));
        _bed = await ClusterTestBed.StartAsync([], settings: new Dictionary<string, string?>
        {
            ["EdgeGuard__Cache__PositiveTtl"] = "00:00:02",
            ["EdgeGuard__Cache__MemoryTtl"] = "00:00:02",
            ["EdgeGuard__Cache__RedisTimeout"] = "00:00:00.100", // the default, not the bed's generous one
        }, upstreamUrl: _catalog.Url);
    }

    public async Task DisposeAsync()
    {
        await _bed.DisposeAsync();
        _catalog.Stop();
    }

    [Fact]
    public async Task Hot_id_costs_one_catalog_request_per_lifetime_beside_a_cpu_hog()
    {
        var clients = _bed.Instances.Select(instance => instance.CreateClient()).ToList();
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
                    using var response = await client.GetAsync("/products/" + Id);
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                    count++;
                }

                return count;
            }))).ToList();
            served = (await Task.WhenAll(readers)).Sum();
        }

        var fetches = _catalog.LogEntries.Where(entry => entry.RequestMessage?.Path == "/products/" + Id)
            .Select(entry => entry.RequestMessage!.DateTime).Order().ToList();
        var gaps = fetches.Zip(fetches.Skip(1), (first, next) => next - first).ToList();

        Assert.True(served > 100, $"only {served} reads");
        Assert.True(fetches.Count >= 3, $"only {fetches.Count} catalog requests in {duration.TotalSeconds} s of 2 s lifetimes");
        Assert.True(gaps.All(gap => gap >= Ttl / 2),
            $"two catalog requests in one lifetime: gaps {string.Join(", ", gaps.Select(gap => $"{gap.TotalMilliseconds:F0} ms"))}{Environment.NewLine}" +
            string.Join(Environment.NewLine, _bed.Instances.Select(instance => instance.Output)));
        foreach (var client in clients)
        {
            client.Dispose();
        }
    }
}
