namespace EdgeGuard.Proxy.Tests;

/// <summary>Writes keep the filter and the cache honest: no product is hidden right after it is created.</summary>
public sealed class WriteTests : GatewayTestBase
{
    protected override GatewayBuilder Configure(GatewayBuilder gateway) => gateway.WithIds(["GHOST-3", "SKU-5", "RACE-1"]);

    protected override void StubUpstream()
    {
        Upstream.Given(Request.Create().WithPath("/products").UsingPost()).RespondWith(Response.Create().WithStatusCode(201).WithBody("{}"));
    }

    [Theory]
    [InlineData("NEW-1", "bloom")] // the filter had never seen it
    [InlineData("GHOST-3", "negative-cache")] // in the filter, and its absence cached
    public async Task Product_created_through_the_gateway_is_served_at_once_whatever_hid_it_before(string id, string hiddenBy)
    {
        Upstream.StubMissing(id);
        using (await Client.GetAsync($"/products/{id}")) { }
        Assert.Equal((HttpStatusCode.NotFound, hiddenBy), await Client.ReadAsync(id));
        Upstream.StubProduct(id);

        using var created = await Client.PostAsync("/products", Json($$"""{"id":"{{id}}","name":"Chair","price":20}"""));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal((HttpStatusCode.OK, "upstream"), await Client.ReadAsync(id));
        // The body reached the catalog unchanged.
        var forwarded = Upstream.LogEntries.Single(e => e.RequestMessage?.Method == "POST");
        Assert.Equal($$"""{"id":"{{id}}","name":"Chair","price":20}""", forwarded.RequestMessage!.Body);
    }

    [Fact]
    public async Task Put_and_delete_invalidate_the_cached_entry_after_success()
    {
        Upstream.StubProduct("SKU-5", """{"id":"SKU-5","price":1}""");
        Upstream.Given(Request.Create().WithPath("/products/SKU-5").UsingPut()).RespondWith(Response.Create().WithStatusCode(200).WithBody("{}"));
        Upstream.Given(Request.Create().WithPath("/products/SKU-5").UsingDelete()).RespondWith(Response.Create().WithStatusCode(204));
        using (await Client.GetAsync("/products/SKU-5")) { }
        using var cached = await Client.GetAsync("/products/SKU-5");

        using var put = await Client.PutAsync("/products/SKU-5", Json("""{"name":"x","price":2}"""));
        using var afterPut = await Client.GetAsync("/products/SKU-5");
        using var delete = await Client.DeleteAsync("/products/SKU-5");
        Upstream.StubMissing("SKU-5");
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
        Upstream.StubProduct("SKU-5");
        Upstream.Given(Request.Create().WithPath("/products/SKU-5").UsingPut()).RespondWith(Response.Create().WithStatusCode(400).WithBody("{}"));
        using (await Client.GetAsync("/products/SKU-5")) { }

        using var put = await Client.PutAsync("/products/SKU-5", Json("""{"name":"","price":-1}"""));
        using var after = await Client.GetAsync("/products/SKU-5");

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Equal("cache", after.Source());
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
