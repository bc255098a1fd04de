using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using EdgeGuard.Proxy.Tests.Infrastructure;

namespace EdgeGuard.Proxy.Tests.Cluster;

/// <summary>One cluster (three instances, one Redis, the real catalog) shared by the tests that leave it whole.</summary>
public sealed class ThreeInstanceCluster : IAsyncLifetime
{
    public static readonly string[] CatalogIds = [.. Enumerable.Range(0, 2_000).Select(i => $"HAVE-{i:D5}")];

    public ClusterTestBed Bed { get; private set; } = null!;

    public HttpClient[] Clients { get; private set; } = [];

    public async Task InitializeAsync()
    {
        Bed = await ClusterTestBed.StartAsync(CatalogIds);
        Clients = [.. Bed.Instances.Select(instance => instance.CreateClient())];
    }

    public async Task DisposeAsync()
    {
        foreach (var client in Clients)
        {
            client.Dispose();
        }

        await Bed.DisposeAsync();
    }
}

/// <summary>
/// Three instances agree: a 2xx for a write through any of them means every instance answers the id as the
/// catalog now does, at once — never a 404 from its filter, never a stale cached answer.
/// </summary>
[Integration]
[Collection(ClusterCollection.Name)]
public sealed class ClusterAgreementTests(ThreeInstanceCluster cluster) : IClassFixture<ThreeInstanceCluster>
{
    private HttpClient[] Clients => cluster.Clients;

    [Fact]
    public async Task Every_create_through_one_instance_is_served_by_the_others_right_after_its_201_under_load()
    {
        const int rounds = 1_200;
        using var stop = new CancellationTokenSource();
        // Concurrent load on every instance: an attack of missing ids and reads of real ones.
        var load = Enumerable.Range(0, 3).Select(i => Task.Run(async () =>
        {
            var random = new Random(i);
            while (!stop.IsCancellationRequested)
            {
                var id = random.Next(2) == 0 ? $"MISS-{random.Next()}" : ThreeInstanceCluster.CatalogIds[random.Next(ThreeInstanceCluster.CatalogIds.Length)];
                using var response = await Clients[i].GetAsync($"/products/{id}");
            }
        })).ToList();

        var failures = new ConcurrentQueue<string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, rounds), new ParallelOptions { MaxDegreeOfParallelism = 6 }, async (round, _) =>
        {
            var id = $"AGREE-{round:D5}";
            var writer = round % 3;
            using var created = await ClusterTestBed.CreateAsync(Clients[writer], id);
            if (created.StatusCode != HttpStatusCode.Created)
            {
                failures.Enqueue($"{id}: create through gw-{writer} answered {(int)created.StatusCode}");
                return;
            }

            for (var other = 1; other <= 2; other++)
            {
                var reader = (writer + other) % 3;
                using var read = await Clients[reader].GetAsync($"/products/{id}");
                if (read.StatusCode != HttpStatusCode.OK)
                {
                    failures.Enqueue($"{id}: created through gw-{writer}, gw-{reader} answered {(int)read.StatusCode} ({read.Source()})");
                }
            }
        });
        await stop.CancelAsync();
        await Task.WhenAll(load);

        Assert.True(failures.IsEmpty, $"{failures.Count} of {rounds * 2} reads after a 201 elsewhere failed: {string.Join("; ", failures.Take(5))}");
    }

    [Fact]
    public async Task Product_created_behind_the_gateways_back_is_announced_to_every_instance()
    {
        const string id = "BEHIND-1";
        using var direct = await cluster.Bed.Catalog.Client.PostAsJsonAsync("/products", new { id, name = "Direct", price = 1 });
        Assert.Equal(HttpStatusCode.Created, direct.StatusCode);
        foreach (var client in Clients)
        {
            using var before = await client.GetAsync($"/products/{id}");
            Assert.Equal("bloom", before.Source()); // the filters do not know it yet: the case the admin endpoint exists for
        }

        var request = new HttpRequestMessage(HttpMethod.Post, "/bloom/ids") { Content = JsonContent.Create(new[] { id }) };
        request.Headers.Add("X-Admin-Key", ClusterTestBed.AdminKey);
        using var announced = await Clients[0].SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, announced.StatusCode);
        Assert.Contains("\"added\":1", await announced.Content.ReadAsStringAsync());
        foreach (var client in Clients)
        {
            using var after = await client.GetAsync($"/products/{id}");
            Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        }
    }

    [Fact]
    public async Task Update_through_one_instance_is_never_answered_stale_by_the_others()
    {
        const string id = "HAVE-00042";
        foreach (var client in Clients)
        {
            using var warm = await client.GetAsync($"/products/{id}");
            using var cached = await client.GetAsync($"/products/{id}");
            Assert.Equal("cache", cached.Source()); // each instance holds the old answer in its memory (and Redis)
        }

        for (var version = 1; version <= 20; version++)
        {
            var writer = Clients[version % 3];
            var price = 100 + version;
            using var updated = await writer.PutAsync($"/products/{id}",
                new StringContent($$"""{"id":"{{id}}","name":"Lamp v{{version}}","price":{{price}}}""", Encoding.UTF8, "application/json"));
            Assert.True(updated.IsSuccessStatusCode, $"update {version}: {(int)updated.StatusCode}");
            foreach (var client in Clients)
            {
                using var read = await client.GetAsync($"/products/{id}");
                Assert.Contains($"\"price\":{price}", await read.Content.ReadAsStringAsync());
            }
        }
    }

    [Fact]
    public async Task Stats_name_the_instance_and_count_the_cluster()
    {
        for (var i = 0; i < Clients.Length; i++)
        {
            var stats = await ClusterTestBed.StatsAsync(Clients[i]);
            Assert.Equal($"gw-{i}", stats.GetProperty("instance_id").GetString());
            Assert.Equal(3, stats.GetProperty("cluster_instances").GetInt32());
            Assert.InRange(stats.GetProperty("sync_lag_ms").GetInt64(), 0, 5_000);
            Assert.True(stats.GetProperty("ready").GetBoolean());
        }
    }
}
