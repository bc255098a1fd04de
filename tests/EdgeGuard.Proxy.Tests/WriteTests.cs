using System.Net;
using System.Text;
using EdgeGuard.Proxy.Tests.Infrastructure;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace EdgeGuard.Proxy.Tests;

/// <summary>Writes keep the filter and the cache honest: no product is hidden right after it is created.</summary>
public sealed class WriteTests : GatewayTestBase
{
    protected override GatewayBuilder Configure(GatewayBuilder gateway) => gateway.WithIds(["GHOST-3", "SKU-5", "RACE-1"]);

    protected override void StubUpstream()
    {
        Upstream.Given(Request.Create().WithPath("/products").UsingPost()).RespondWith(Response.Create().WithStatusCode(201).WithBody("{}"));
    }

    [Fact]
    public async Task Product_created_through_the_gateway_is_served_at_once_although_the_filter_had_never_seen_it()
    {
        using var before = await Client.GetAsync("/products/NEW-1");
        Stub("/products/NEW-1", 200, """{"id":"NEW-1"}""");

        using var created = await Client.PostAsync("/products", Json("""{"id":"NEW-1","name":"Chair","price":20}"""));
        using var after = await Client.GetAsync("/products/NEW-1");

        Assert.Equal("bloom", before.Source());
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal("upstream", after.Source());
        // The body reached the catalog unchanged.
        var forwarded = Upstream.LogEntries.Single(e => e.RequestMessage?.Method == "POST");
        Assert.Equal("""{"id":"NEW-1","name":"Chair","price":20}""", forwarded.RequestMessage!.Body);
    }

    [Fact]
    public async Task Negatively_cached_id_is_200_right_after_its_post()
    {
        Stub("/products/GHOST-3", 404, "");
        using var miss = await Client.GetAsync("/products/GHOST-3");
        using var negative = await Client.GetAsync("/products/GHOST-3");
        Stub("/products/GHOST-3", 200, """{"id":"GHOST-3"}""");

        using var created = await Client.PostAsync("/products", Json("""{"id":"GHOST-3","name":"Desk","price":99}"""));
        using var after = await Client.GetAsync("/products/GHOST-3");

        Assert.Equal("negative-cache", negative.Source());
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal("upstream", after.Source());
    }

    [Fact]
    public async Task Put_and_delete_invalidate_the_cached_entry_after_success()
    {
        Stub("/products/SKU-5", 200, """{"id":"SKU-5","price":1}""");
        Upstream.Given(Request.Create().WithPath("/products/SKU-5").UsingPut()).RespondWith(Response.Create().WithStatusCode(200).WithBody("{}"));
        Upstream.Given(Request.Create().WithPath("/products/SKU-5").UsingDelete()).RespondWith(Response.Create().WithStatusCode(204));
        using (await Client.GetAsync("/products/SKU-5")) { }
        using var cached = await Client.GetAsync("/products/SKU-5");

        using var put = await Client.PutAsync("/products/SKU-5", Json("""{"name":"x","price":2}"""));
        using var afterPut = await Client.GetAsync("/products/SKU-5");
        using var delete = await Client.DeleteAsync("/products/SKU-5");
        Stub("/products/SKU-5", 404, "");
        using var afterDelete = await Client.GetAsync("/products/SKU-5");

        Assert.Equal("cache", cached.Source());
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal("upstream", afterPut.Source());
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, afterDelete.StatusCode);
        Assert.Equal("upstream", afterDelete.Source());
    }

    [Fact]
    public async Task Failed_write_leaves_the_cache_alone()
    {
        Stub("/products/SKU-5", 200, """{"id":"SKU-5"}""");
        Upstream.Given(Request.Create().WithPath("/products/SKU-5").UsingPut()).RespondWith(Response.Create().WithStatusCode(400).WithBody("{}"));
        using (await Client.GetAsync("/products/SKU-5")) { }

        using var put = await Client.PutAsync("/products/SKU-5", Json("""{"name":"","price":-1}"""));
        using var after = await Client.GetAsync("/products/SKU-5");

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Equal("cache", after.Source());
    }

    private void Stub(string path, int status, string body) =>
        Upstream.Given(Request.Create().WithPath(path).UsingGet()).AtPriority(0).RespondWith(Response.Create().WithStatusCode(status).WithBody(body));

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
