using System.Net;
using System.Text;
using System.Text.Json;
using EdgeGuard.Proxy.Filtering;
using EdgeGuard.Proxy.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace EdgeGuard.Proxy.Tests;

/// <summary>
/// Only a 2xx from the catalog puts a written id into the filter; while the write is in flight its id is
/// pending (forwarded, never rejected, never cached); a write whose answer never came back is settled by
/// asking the catalog. Rejected writes can no longer poison the filter.
/// </summary>
public sealed class WriteOutcomeTests : GatewayTestBase
{
    protected override IEnumerable<string> KnownIds => ["SKU-1", "SKU-2"];

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["EdgeGuard:Writes:MaxVerifyDelay"] = "00:00:00.050",
        // Far longer than this test takes to let the held write reach the catalog's commit.
        ["EdgeGuard:Writes:SettleTime"] = "00:00:02",
    };

    private ProductFilter Filter => Gateway.Services.GetRequiredService<ProductFilter>();

    [Fact]
    public async Task Writes_the_catalog_refuses_leave_the_filter_as_it_was()
    {
        Upstream.Given(Request.Create().WithPath("/products/*").UsingPut()).RespondWith(Response.Create().WithStatusCode(400).WithBody("{}"));
        Upstream.Given(Request.Create().WithPath("/products").UsingPost()).RespondWith(Response.Create().WithStatusCode(409).WithBody("{}"));
        var before = await StatsAsync();

        // The attack from the issue: invalid bodies, all refused by the catalog, nothing persisted.
        for (var i = 0; i < 200; i++)
        {
            using var put = await Client.PutAsync($"/products/POISON-{i}", Json("""{"name":"","price":-1}"""));
            Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        }

        using var post = await Client.PostAsync("/products", Json("""{"id":"TAKEN-1","name":"x","price":1}"""));
        var after = await StatsAsync();

        Assert.Equal(HttpStatusCode.Conflict, post.StatusCode);
        Assert.Equal(before.GetProperty("current_items").GetInt64(), after.GetProperty("current_items").GetInt64());
        Assert.Equal(before.GetProperty("fill_ratio").GetDouble(), after.GetProperty("fill_ratio").GetDouble());
        using var poisoned = await Client.GetAsync("/products/POISON-7");
        using var taken = await Client.GetAsync("/products/TAKEN-1");
        Assert.Equal("bloom", poisoned.Source());
        Assert.Equal("bloom", taken.Source());
        Assert.Equal(0, Filter.Pending.Count);
    }

    [Fact]
    public async Task Delete_adds_nothing_even_when_it_succeeds()
    {
        Upstream.Given(Request.Create().WithPath("/products/GONE-1").UsingDelete()).RespondWith(Response.Create().WithStatusCode(204));

        using var delete = await Client.DeleteAsync("/products/GONE-1");
        using var read = await Client.GetAsync("/products/GONE-1");

        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.Equal("bloom", read.Source());
        Assert.Equal(2, (await StatsAsync()).GetProperty("current_items").GetInt64());
    }

    [Fact]
    public async Task Accepted_create_enters_the_filter_and_counts_once()
    {
        Upstream.Given(Request.Create().WithPath("/products").UsingPost()).RespondWith(Response.Create().WithStatusCode(201).WithBody("{}"));
        Upstream.Given(Request.Create().WithPath("/products/NEW-1").UsingGet()).RespondWith(Response.Create().WithStatusCode(200).WithBody("""{"id":"NEW-1"}"""));

        using var created = await Client.PostAsync("/products", Json("""{"id":"NEW-1","name":"x","price":1}"""));
        using var again = await Client.PostAsync("/products", Json("""{"id":"NEW-1","name":"x","price":1}"""));
        using var read = await Client.GetAsync("/products/NEW-1");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(3, (await StatsAsync()).GetProperty("current_items").GetInt64());
    }

    [Fact]
    public async Task Id_of_a_write_in_flight_is_forwarded_never_rejected_nor_cached()
    {
        var create = HoldUpstream("/products", "POST", 201);
        Upstream.Given(Request.Create().WithPath("/products/NEW-2").UsingGet()).RespondWith(Response.Create().WithStatusCode(404).WithBody("{}"));

        var write = Client.PostAsync("/products", Json("""{"id":"NEW-2","name":"x","price":1}"""));
        await create.Arrived.WaitAsync(TimeSpan.FromSeconds(10)); // the catalog has the write and may commit any moment
        using var first = await Client.GetAsync("/products/NEW-2");
        using var second = await Client.GetAsync("/products/NEW-2");
        create.Release();
        using var created = await write;

        Assert.Equal("upstream", first.Source());
        Assert.Equal("upstream", second.Source()); // its 404 was not cached while the write was in flight
        Assert.Equal(2, Upstream.CallsTo("/products/NEW-2"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(0, Filter.Pending.Count);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Write_whose_answer_never_came_back_is_settled_by_what_the_catalog_says(bool catalogCommitted)
    {
        // The catalog holds the write; it commits (or refuses) only when released, after the client left and
        // after the gateway first asked whether the product exists (and heard 404).
        var create = HoldUpstream("/products", "POST", catalogCommitted ? 201 : 400);
        var exists = false;
        var firstQuestion = new Latch();
        Upstream.Given(Request.Create().WithPath("/products/LOST-1").UsingGet()).RespondWith(Response.Create().WithCallback(request =>
        {
            if (!request.Headers!.ContainsKey("X-Forwarded-For"))
            {
                firstQuestion.Arrive(); // the gateway's own question, not a forwarded read
            }

            return new ResponseMessage { StatusCode = Volatile.Read(ref exists) ? 200 : 404 };
        }));
        using var leave = new CancellationTokenSource();

        var write = Client.PostAsync("/products", Json("""{"id":"LOST-1","name":"x","price":1}"""), leave.Token);
        await create.Arrived.WaitAsync(TimeSpan.FromSeconds(10));
        await leave.CancelAsync(); // the client goes away before the catalog answers
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => write);
        await firstQuestion.Arrived.WaitAsync(TimeSpan.FromSeconds(10));
        using var whileUnknown = await Client.GetAsync("/products/LOST-1");
        Assert.True(Filter.Pending.Contains("LOST-1"), "a 404 heard while the write may still commit settles nothing");
        Assert.NotEqual("bloom", whileUnknown.Source());

        // The write finishes inside the catalog after the gateway's first question.
        Volatile.Write(ref exists, catalogCommitted);
        create.Release();

        await Eventually.TrueAsync(() => Task.FromResult(!Filter.Pending.Contains("LOST-1")), TimeSpan.FromSeconds(10), "the outcome was never learned");
        using var settled = await Client.GetAsync("/products/LOST-1");
        Assert.Equal(catalogCommitted ? "upstream" : "bloom", settled.Source());
    }

    [Fact]
    public async Task Full_pending_set_refuses_a_write_with_503_before_forwarding()
    {
        await using var gateway = new GatewayFactory(Upstream.Url!, KnownIds, new Dictionary<string, string?> { ["EdgeGuard:Writes:MaxPending"] = "1" });
        using var client = await gateway.CreateReadyClientAsync();
        var first = HoldUpstream("/products", "POST", 201);

        var held = client.PostAsync("/products", Json("""{"id":"HELD-1","name":"x","price":1}"""));
        await first.Arrived.WaitAsync(TimeSpan.FromSeconds(10));
        using var refused = await client.PostAsync("/products", Json("""{"id":"HELD-2","name":"x","price":1}"""));
        first.Release();
        using var accepted = await held;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.MediaType());
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        var forwarded = Upstream.LogEntries.Where(e => e.RequestMessage?.Method == "POST").Select(e => e.RequestMessage!.Body).ToList();
        Assert.Single(forwarded);
        Assert.Contains("HELD-1", forwarded[0]);
    }

    private async Task<JsonElement> StatsAsync() => JsonDocument.Parse(await Client.GetStringAsync("/bloom/stats")).RootElement;

    /// <summary>An upstream answer held back until the test releases it; <see cref="Latch.Arrived"/> once the request is in.</summary>
    private Latch HoldUpstream(string path, string method, int status)
    {
        var latch = new Latch();
        Upstream.Given(Request.Create().WithPath(path).UsingMethod(method)).RespondWith(Response.Create().WithCallback(async _ =>
        {
            latch.Arrive();
            await latch.Released;
            return new ResponseMessage { StatusCode = status };
        }));
        return latch;
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
