using System.Net;
using EdgeGuard.Proxy.Tests.Infrastructure;

namespace EdgeGuard.Proxy.Tests.Cluster;

/// <summary>
/// Redis comes back without the log's last entries (what a failover to a replica that had not received them does):
/// here a real redis-server killed and started again from a copy of its data taken before five creates. Each create
/// was acknowledged (201) and its entries are gone from the log; the catalog has the products. Every instance keeps
/// answering them (never a 404 from its filter), notices that the log went back and reloads from the sources; an
/// instance that joins afterwards does not trust the snapshot of that time either.
/// </summary>
[Integration]
[Collection(ClusterCollection.Name)]
public sealed class LogLossTests
{
    private static readonly string[] CatalogIds = [.. Enumerable.Range(0, 200).Select(i => $"HAVE-{i:D4}")];

    [Fact]
    public async Task Creates_acknowledged_before_redis_lost_their_log_entries_are_never_a_404()
    {
        await using var bed = await ClusterTestBed.StartAsync(CatalogIds);
        var clients = bed.Instances.Select(instance => instance.CreateClient()).ToList();
        using (var created = await ClusterTestBed.CreateAsync(clients[0], "BEFORE-1"))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        await Eventually.TrueAsync(async () => await bed.Admin.GetDatabase().KeyExistsAsync("{edgeguard}:snapshot"), TimeSpan.FromSeconds(10),
            "the leader never wrote a snapshot");
        await bed.Redis.SendAsync("SAVE"); // the copy Redis will come back from

        var lost = Enumerable.Range(1, 5).Select(i => $"LOST-{i}").ToList();
        foreach (var (id, i) in lost.Select((id, i) => (id, i)))
        {
            using var created = await ClusterTestBed.CreateAsync(clients[i % clients.Count], id);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        foreach (var client in clients)
        {
            foreach (var id in lost)
            {
                Assert.NotEqual("bloom", (await ReadAsync(client, id)).Source);
            }
        }

        bed.Redis.Kill();
        await bed.Redis.StartAsync(CancellationToken.None); // loads the copy
        var log = await bed.Admin.GetDatabase().StreamRangeAsync("{edgeguard}:log");
        Assert.DoesNotContain(log, entry => entry.Values.Any(field => field.Value == "LOST-5")); // the entries are gone

        // Every instance keeps answering them while it notices and reloads, and rejects with its filter again after.
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        var trustedAgain = new bool[clients.Count];
        while (!trustedAgain.All(trusted => trusted) && DateTime.UtcNow < until)
        {
            for (var i = 0; i < clients.Count; i++)
            {
                foreach (var id in lost)
                {
                    var (status, source) = await ReadAsync(clients[i], id);
                    Assert.True(source != "bloom" && status != HttpStatusCode.NotFound, $"instance {i} answered {id} {(int)status} from {source}");
                }

                trustedAgain[i] |= (await ReadAsync(clients[i], $"MISSING-{Guid.NewGuid():N}")).Source == "bloom";
            }
        }

        Assert.All(trustedAgain, Assert.True);

        // An instance that joins now: whatever snapshot Redis holds, the writes acknowledged before the loss are served.
        var joiner = bed.StartInstance("gw-after-loss");
        await joiner.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
        using var joinerClient = joiner.CreateClient();
        foreach (var id in lost.Append("BEFORE-1"))
        {
            var (status, source) = await ReadAsync(joinerClient, id);
            Assert.True(status == HttpStatusCode.OK && source != "bloom", $"the joiner answered {id} {(int)status} from {source}");
        }

        Assert.Equal("bloom", (await ReadAsync(joinerClient, "NEVER-1")).Source);
        Assert.Contains(await bed.Admin.GetDatabase().StreamRangeAsync("{edgeguard}:log"), entry => entry.Values.Any(field => field.Value == "lost"));
        foreach (var client in clients)
        {
            client.Dispose();
        }
    }

    private static async Task<(HttpStatusCode Status, string Source)> ReadAsync(HttpClient client, string id)
    {
        using var response = await client.GetAsync($"/products/{id}");
        return (response.StatusCode, response.Source());
    }
}
