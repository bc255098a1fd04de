using System.Diagnostics;
using System.Net;
using EdgeGuard.Proxy.Tests.Infrastructure;
using WireMock;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace EdgeGuard.Proxy.Tests.Budget;

/// <summary>
/// The per-client upstream budget end to end: real Kestrel, clients on distinct loopback addresses, a WireMock
/// catalog whose request log counts what reached it.
/// </summary>
public sealed class ClientBudgetTests : IAsyncLifetime
{
    private const string Sweeper = "127.0.0.1";
    private const string Other = "127.0.0.2";

    private static readonly string[] Ids = Enumerable.Range(0, 20_000).Select(i => $"SKU-{i:D5}").ToArray();

    private readonly WireMockServer _catalog = Upstream.StartCatalog();
    private readonly Latch _slowFetch = new();

    public Task InitializeAsync()
    {
        _catalog.Given(Request.Create().WithPath("/products/SLOW-1").UsingGet()).AtPriority(1).RespondWith(Response.Create().WithCallback(async _ =>
        {
            _slowFetch.Arrive();
            await _slowFetch.Released;
            return new ResponseMessage
            {
                StatusCode = 200,
                Headers = new Dictionary<string, WireMock.Types.WireMockList<string>> { ["Content-Type"] = new("application/json") },
                BodyData = new WireMock.Util.BodyData { BodyAsString = """{"id":"SLOW-1"}""", DetectedBodyType = WireMock.Types.BodyType.String },
            };
        }));
        _catalog.Given(Request.Create().WithPath(new WildcardMatcher("/products/*")).UsingGet()).AtPriority(10)
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody("""{"name":"a product"}"""));
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        _slowFetch.Release();
        _catalog.Stop();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_sweep_of_real_cold_ids_is_held_at_its_budget_while_another_client_is_served()
    {
        const int perSecond = 5;
        const int burst = 10;
        await using var gateway = await BudgetGateway.StartAsync(_catalog.Url!, Ids, Budget(perSecond, burst));
        var sweeper = gateway.Client(Sweeper);
        var other = gateway.Client(Other);

        // One client walks the catalog in order, every id a cold miss, for 2.5 s.
        var served = 0;
        var held = 0;
        var next = 0;
        var sweep = Stopwatch.StartNew();
        while (sweep.Elapsed < TimeSpan.FromSeconds(2.5) && next < 15_000)
        {
            using var response = await sweeper.GetAsync($"/products/{Ids[next++]}");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                served++;
                Assert.Equal("upstream", response.Source());
                continue;
            }

            held++;
            Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
            Assert.Equal("budget", response.Source());
            Assert.Equal("application/problem+json", response.MediaType());
            Assert.True(response.Headers.RetryAfter?.Delta is { TotalSeconds: >= 1 and <= 2 }, $"Retry-After: {response.Headers.RetryAfter}");
            Assert.Contains("\"status\":429", await response.Content.ReadAsStringAsync());
        }

        var elapsed = sweep.Elapsed.TotalSeconds;
        var swept = Ids.Take(next).ToHashSet();
        var catalogQueries = _catalog.LogEntries.Count(e => e.RequestMessage!.Path.StartsWith("/products/", StringComparison.Ordinal) && swept.Contains(e.RequestMessage.Path["/products/".Length..]));

        // While the sweeper is held, another client's cold misses go through: its budget is its own.
        foreach (var id in Ids.Skip(19_990))
        {
            using var response = await other.GetAsync($"/products/{id}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("upstream", response.Source());
        }

        // The sweeper is still held. Its bucket kept refilling meanwhile (the rate's tokens each second, up to the
        // burst), for as long as the other client's turn took on this machine: so it meets a 429 again within at most
        // a full bucket's worth of requests, and every one it was served is counted below.
        var servedAfter = 0;
        var heldAgain = false;
        for (var attempt = 0; attempt <= burst && !heldAgain; attempt++)
        {
            using var again = await sweeper.GetAsync($"/products/{Ids[next++]}");
            if (again.StatusCode == HttpStatusCode.TooManyRequests)
            {
                heldAgain = true;
                held++;
            }
            else
            {
                Assert.Equal(HttpStatusCode.OK, again.StatusCode);
                servedAfter++;
            }
        }

        Assert.True(heldAgain, $"the sweeper was served {servedAfter} requests in a row after its sweep: more than its burst of {burst}");

        // Cut at about rate x time + burst: the bucket starts full (the burst) and gains the rate's tokens once per
        // second (+1 for a refill that lands just before the end).
        Assert.Equal(served, catalogQueries);
        Assert.InRange(catalogQueries, burst, burst + (perSecond * (Math.Floor(elapsed) + 1)));
        Assert.True(held > 10 * served, $"{next} requests in {elapsed:F1} s: {served} served, {held} held");
        Assert.Equal(held, await gateway.BudgetRejectsAsync());
        Assert.Equal(served + servedAfter + 10, await gateway.CounterAsync("edgeguard_upstream_requests_total"));
    }

    [Fact]
    public async Task Bloom_rejects_cache_hits_and_waits_for_another_clients_fetch_spend_no_budget()
    {
        await using var gateway = await BudgetGateway.StartAsync(_catalog.Url!, [.. Ids, "SLOW-1"], Budget(perSecond: 0.1, burst: 2));
        var held = gateway.Client(Sweeper);
        var other = gateway.Client(Other);

        // The held client spends its burst on two misses, then is held.
        foreach (var id in new[] { "SKU-00001", "SKU-00002" })
        {
            using var response = await held.GetAsync($"/products/{id}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        using (var refused = await held.GetAsync("/products/SKU-00003"))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        }

        // Another client fills one more id.
        using (var filled = await other.GetAsync("/products/SKU-00004"))
        {
            Assert.Equal("upstream", filled.Source());
        }

        var before = _catalog.Calls();

        // Far over its budget, it still gets what costs the catalog nothing: its own and others' cached ids, the
        // filter's 404s, the id rule's 400s, again and again.
        for (var round = 0; round < 20; round++)
        {
            foreach (var id in new[] { "SKU-00001", "SKU-00002", "SKU-00004" })
            {
                using var hit = await held.GetAsync($"/products/{id}");
                Assert.Equal(HttpStatusCode.OK, hit.StatusCode);
                Assert.Equal("cache", hit.Source());
            }

            using var absent = await held.GetAsync($"/products/NOPE-{round}");
            Assert.Equal(HttpStatusCode.NotFound, absent.StatusCode);
            Assert.Equal("bloom", absent.Source());
            using var invalid = await held.GetAsync("/products/not*an*id");
            Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        }

        // It waits for another client's fetch of an id and gets that answer: it caused no catalog request.
        var leader = other.GetAsync("/products/SLOW-1");
        await _slowFetch.Arrived.WaitAsync(TimeSpan.FromSeconds(10));
        var follower = held.GetAsync("/products/SLOW-1");
        // A refusal would come at once; the follower is still waiting for the held fetch.
        await Task.WhenAny(follower, Task.Delay(TimeSpan.FromMilliseconds(500)));
        Assert.False(follower.IsCompleted, "the held client's request did not wait for the fetch already under way");
        _slowFetch.Release();
        using var led = await leader;
        using var followed = await follower;

        Assert.Equal(HttpStatusCode.OK, led.StatusCode);
        Assert.Equal("upstream", led.Source());
        Assert.Equal(HttpStatusCode.OK, followed.StatusCode);
        Assert.Equal("cache", followed.Source());
        Assert.Equal(before + 1, _catalog.Calls()); // SLOW-1, once
        Assert.Equal(1, await gateway.BudgetRejectsAsync());

        // And it is still held for a real miss of its own.
        using var stillHeld = await held.GetAsync("/products/SKU-00005");
        Assert.Equal(HttpStatusCode.TooManyRequests, stillHeld.StatusCode);
    }

    [Fact]
    public async Task Requests_forwarded_as_they_are_spend_budget_too()
    {
        await using var gateway = await BudgetGateway.StartAsync(_catalog.Url!, Ids, Budget(perSecond: 0.1, burst: 2));
        var client = gateway.Client(Sweeper);

        // A query string means the cache may not answer: the request is forwarded as it is, and reaches the catalog.
        using var first = await client.GetAsync("/products/SKU-00001?lang=de");
        using var second = await client.GetAsync("/products/SKU-00002?lang=de");
        using var third = await client.GetAsync("/products/SKU-00003?lang=de");
        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/products/SKU-00004"));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.Equal("budget", third.Source());
        Assert.Equal(HttpStatusCode.TooManyRequests, head.StatusCode);
        Assert.Equal(2, _catalog.Calls());
    }

    [Fact]
    public async Task An_id_whose_answers_may_not_be_shared_spends_budget_once_on_each_request()
    {
        _catalog.Given(Request.Create().WithPath(new WildcardMatcher("/products/PRIVATE-*")).UsingGet()).AtPriority(1)
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Cache-Control", "no-store").WithBody("{}"));
        await using var gateway = await BudgetGateway.StartAsync(_catalog.Url!, ["PRIVATE-1"], Budget(perSecond: 0.1, burst: 2));
        var client = gateway.Client(Sweeper);

        // The first request fills (and learns the answer may not be shared) and gets that answer: one catalog request,
        // one spend. From then on the pass-through marker sends each request to the catalog: one spend each.
        using var first = await client.GetAsync("/products/PRIVATE-1");
        using var second = await client.GetAsync("/products/PRIVATE-1");
        using var third = await client.GetAsync("/products/PRIVATE-1");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.Equal(2, _catalog.CallsTo("/products/PRIVATE-1"));
    }

    [Fact]
    public async Task X_Forwarded_For_from_an_unknown_proxy_is_ignored()
    {
        await using var gateway = await BudgetGateway.StartAsync(_catalog.Url!, Ids, Budget(perSecond: 0.1, burst: 1));
        var client = gateway.Client(Sweeper);

        // A client cannot give itself new budgets by naming other addresses.
        using var first = await SendForAsync(client, "SKU-00001", "198.51.100.1");
        using var second = await SendForAsync(client, "SKU-00002", "198.51.100.2");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
    }

    [Fact]
    public async Task X_Forwarded_For_from_a_known_proxy_gives_each_client_behind_it_its_own_budget()
    {
        var settings = Budget(perSecond: 0.1, burst: 1);
        settings["EdgeGuard:ClientBudget:KnownProxies:0"] = Sweeper;
        await using var gateway = await BudgetGateway.StartAsync(_catalog.Url!, Ids, settings);
        var proxy = gateway.Client(Sweeper);
        var notAProxy = gateway.Client(Other);

        using var alice = await SendForAsync(proxy, "SKU-00001", "198.51.100.1");
        using var bob = await SendForAsync(proxy, "SKU-00002", "198.51.100.2");
        using var aliceAgain = await SendForAsync(proxy, "SKU-00003", "198.51.100.1");
        // A client that wrote its own X-Forwarded-For through the proxy is still the address the proxy saw.
        using var spoofed = await SendForAsync(proxy, "SKU-00004", "198.51.100.1, 198.51.100.3");
        // From an address that is not a known proxy, the header counts for nothing.
        using var direct = await SendForAsync(notAProxy, "SKU-00005", "198.51.100.4");
        using var directAgain = await SendForAsync(notAProxy, "SKU-00006", "198.51.100.5");

        Assert.Equal(HttpStatusCode.OK, alice.StatusCode);
        Assert.Equal(HttpStatusCode.OK, bob.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, aliceAgain.StatusCode);
        Assert.Equal(HttpStatusCode.OK, spoofed.StatusCode); // 198.51.100.3's first request
        Assert.Equal(HttpStatusCode.OK, direct.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, directAgain.StatusCode);
    }

    [Fact]
    public async Task Exempt_networks_are_never_limited()
    {
        var settings = Budget(perSecond: 0.1, burst: 1);
        settings["EdgeGuard:ClientBudget:ExemptNetworks:0"] = "127.0.0.2/32";
        await using var gateway = await BudgetGateway.StartAsync(_catalog.Url!, Ids, settings);
        var bff = gateway.Client(Other);
        var limited = gateway.Client(Sweeper);

        for (var i = 0; i < 50; i++)
        {
            using var response = await bff.GetAsync($"/products/{Ids[i]}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("upstream", response.Source());
        }

        using var first = await limited.GetAsync("/products/SKU-00100");
        using var second = await limited.GetAsync("/products/SKU-00101");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Equal(51, _catalog.Calls());
    }

    private static Dictionary<string, string?> Budget(double perSecond, int burst) => new()
    {
        ["EdgeGuard:ClientBudget:UpstreamPerSecond"] = perSecond.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["EdgeGuard:ClientBudget:Burst"] = burst.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static Task<HttpResponseMessage> SendForAsync(HttpClient client, string id, string forwardedFor)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/products/{id}");
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        return client.SendAsync(request);
    }
}
