using System.Net.Http.Json;

namespace EdgeGuard.Proxy.Tests;

/// <summary>
/// A read sent after a create's 201 must answer 200, whatever a read of the same id that began before the
/// create does meanwhile. Each interleaving is held at its exact point with latches: the catalog holds a read
/// that saw the product absent until after the create committed.
/// </summary>
public sealed class ReadAfterCreateTests : GatewayTestBase
{
    private const string Id = "NEW-1";
    private readonly Latch _staleRead = new();
    private int _exists; // the catalog's state for Id
    private int _reads;

    // In the filter but not (yet) in the catalog: reads of it reach the cache and the catalog.
    protected override GatewayBuilder Configure(GatewayBuilder gateway) => gateway.WithIds([Id]);

    protected override void StubUpstream()
    {
        Upstream.Given(Request.Create().WithPath($"/products/{Id}").UsingGet()).RespondWith(Response.Create().WithCallback(async _ =>
        {
            // The catalog reads its state when the request arrives; the first read is then held.
            var exists = Volatile.Read(ref _exists) == 1;
            if (Interlocked.Increment(ref _reads) == 1)
            {
                _staleRead.Arrive();
                await _staleRead.Released;
            }

            return exists
                ? new ResponseMessage { StatusCode = 200, BodyData = Body($$"""{"id":"{{Id}}"}""") }
                : new ResponseMessage { StatusCode = 404, BodyData = Body("""{"title":"Not Found"}""") };
        }));
        Upstream.Given(Request.Create().WithPath("/products").UsingPost()).RespondWith(Response.Create().WithCallback(_ =>
        {
            Volatile.Write(ref _exists, 1); // the catalog commits
            return new ResponseMessage { StatusCode = 201, BodyData = Body("{}") };
        }));
    }

    [Fact]
    public async Task Read_after_the_create_does_not_take_the_404_of_a_fetch_that_began_before_it()
    {
        var early = Client.GetAsync($"/products/{Id}");
        await _staleRead.Arrived.WaitAsync(TimeSpan.FromSeconds(10)); // the catalog has answered "absent" to it, held

        using var created = await Client.PostAsync("/products", JsonContent.Create(new { id = Id, name = "Lamp", price = 1 }));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var late = Client.GetAsync($"/products/{Id}"); // sent after the 201: it may queue behind the early fetch
        _staleRead.Release();

        using var lateAnswer = await late;
        using var earlyAnswer = await early;
        Assert.Equal(HttpStatusCode.OK, lateAnswer.StatusCode);
        // The early read was concurrent with the create: either answer is right for it.
        Assert.Contains(earlyAnswer.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.NotFound });
        using var next = await Client.GetAsync($"/products/{Id}");
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task Negative_entry_stored_after_the_create_by_a_fetch_from_before_it_is_never_served()
    {
        var early = Client.GetAsync($"/products/{Id}");
        await _staleRead.Arrived.WaitAsync(TimeSpan.FromSeconds(10));
        using var created = await Client.PostAsync("/products", JsonContent.Create(new { id = Id, name = "Lamp", price = 1 }));
        _staleRead.Release();
        using var earlyAnswer = await early;

        // The worst placement of the early fetch's store: after the create's commit, in the cache every reader
        // uses, as it would land from a slow instance. It is older than the write, so nobody may serve it.
        var cache = Gateway.Services.GetRequiredService<ProductCache>();
        await cache.Fusion.SetAsync(Id, CacheEntry.Absent(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddMinutes(1), position: 0));

        using var late = await Client.GetAsync($"/products/{Id}");
        Assert.Equal(HttpStatusCode.OK, late.StatusCode);
        Assert.Equal("upstream", late.Source());
    }

    private static WireMock.Util.BodyData Body(string text) => new() { BodyAsString = text, DetectedBodyType = WireMock.Types.BodyType.String };
}

/// <summary>
/// For the record: 2,000 creates of ids the filter already lets through (so reads of them reach the cache and
/// the catalog), each with another client reading the same id throughout, against the real catalog over real
/// HTTP. Every read sent after a 201 must be a 200.
/// </summary>
[Integration]
[Collection(RedisCollection.Name)]
public sealed class ReadAfterCreateStressTests
{
    private const int Rounds = 2_000;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Every_read_after_a_201_is_200_with_a_reader_racing_each_create(bool redis)
    {
        var catalogIds = Enumerable.Range(0, 1_000).Select(i => $"HAVE-{i}").ToList();
        var raceIds = Enumerable.Range(0, Rounds).Select(i => $"RACE-{i:D5}").ToList();
        await using var catalog = await CatalogServer.StartAsync(catalogIds);
        await using var redisServer = redis ? await RedisServer.StartAsync() : null;
        var gatewayLike = Gateways.Build().WithUpstream(catalog.Url).WithIds([.. catalogIds, .. raceIds]).WithSetting("EdgeGuard:Writes:SettleTime", "00:00:01");
        // With Redis, the tests' generous Redis timeout: on two busy cores a 100 ms command timeout refuses writes (503,
        // nothing forwarded), which is the product being safe, not the race under test.
        await using var gateway = await (redisServer is null ? gatewayLike : gatewayLike.WithRedis(redisServer)).OnKestrelAsync();
        using var client = gateway.CreateClient();

        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var refused = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var direct = new HttpClient { BaseAddress = new Uri(catalog.Url) };
        await Parallel.ForEachAsync(raceIds, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (id, _) =>
        {
            using var stop = new CancellationTokenSource();
            var reader = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    using var response = await client.GetAsync($"/products/{id}");
                }
            });
            using var created = await client.PostAsync("/products",
                new StringContent($$"""{"id":"{{id}}","name":"Race {{id}}","price":1}""", Encoding.UTF8, "application/json"));
            using var after = await client.GetAsync($"/products/{id}");
            await stop.CancelAsync();
            await reader;
            if (created.StatusCode == HttpStatusCode.Created)
            {
                if (after.StatusCode != HttpStatusCode.OK)
                {
                    failures.Enqueue($"{id}: create 201, read after it {(int)after.StatusCode} ({after.Source()})");
                }

                return;
            }

            // A write the gateway could not make safe is refused before the catalog sees it; whatever the catalog
            // holds afterwards, the gateway must not hide it.
            refused.Enqueue($"{id}: create {(int)created.StatusCode}");
            using var held = await direct.GetAsync($"/products/{id}");
            if (created.StatusCode != HttpStatusCode.ServiceUnavailable || (held.StatusCode == HttpStatusCode.OK && after.StatusCode != HttpStatusCode.OK))
            {
                failures.Enqueue($"{id}: create {(int)created.StatusCode}, catalog {(int)held.StatusCode}, read after it {(int)after.StatusCode} ({after.Source()})");
            }
        });

        Assert.True(failures.IsEmpty, $"{failures.Count} of {Rounds} rounds failed: {string.Join("; ", failures.Take(5))}");
        // Refusals are allowed (a slow Redis) but must stay rare, or the rounds above proved little.
        Assert.True(refused.Count <= Rounds / 20, $"{refused.Count} of {Rounds} creates were refused: {string.Join("; ", refused.Take(5))}");
    }
}
