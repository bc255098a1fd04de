using System.Net;
using System.Text;
using EdgeGuard.Proxy.Tests.Infrastructure;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace EdgeGuard.Proxy.Tests;

/// <summary>Bad input gets 400 at the edge, with no filter, cache or upstream work.</summary>
public sealed class ValidationTests : GatewayTestBase
{
    protected override IEnumerable<string> KnownIds => ["SKU-1"];

    protected override void StubUpstream()
    {
        Upstream.Given(Request.Create().UsingAnyMethod()).RespondWith(Response.Create().WithStatusCode(200).WithBody("{}"));
    }

    public static TheoryData<string> InvalidIds => new()
    {
        "/products/" + new string('a', 65), // too long
        "/products/a%20b",                  // space
        "/products/a$b",                    // bad character
        "/products/%C3%A9t%C3%A9",          // non-ASCII
        "/products/a%2Fb",                  // encoded slash
        "/products/a/b",                    // a path, not an id
        "/products/.hidden",                // leading dot
        "/products/-dash",                  // leading dash
        "/products/",                       // empty
        "/products/a%0Ab",                  // newline
    };

    [Theory]
    [MemberData(nameof(InvalidIds))]
    public async Task Invalid_id_is_refused_with_problem_json_and_no_upstream_call(string path)
    {
        using var response = await Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.MediaType());
        Assert.Equal(0, Upstream.Calls());
    }

    [Fact]
    public async Task Nul_in_the_path_is_refused_with_no_upstream_call()
    {
        // The in-memory test server cannot carry a NUL byte; a real Kestrel over real HTTP can.
        await using var gateway = new GatewayFactory(Upstream.Url!, ["SKU-1"]);
        gateway.UseKestrel(0);
        gateway.StartServer();
        using var client = gateway.CreateClient();
        await GatewayFactory.WaitUntilReadyAsync(client);

        using var response = await client.GetAsync("/products/a%00b");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, Upstream.Calls());
    }

    [Fact]
    public async Task Id_of_64_characters_is_valid()
    {
        using var response = await Client.GetAsync("/products/" + new string('a', 64));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("bloom", response.Source());
    }

    [Fact]
    public async Task Invalid_id_in_a_write_is_refused_before_the_catalog()
    {
        using var put = await Client.PutAsync("/products/a$b", new StringContent("""{"name":"x","price":1}""", Encoding.UTF8, "application/json"));
        using var delete = await Client.DeleteAsync("/products/a%2Fb");
        using var post = await Client.PostAsync("/products", new StringContent("""{"id":"../etc","name":"x","price":1}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, delete.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, post.StatusCode);
        Assert.Equal("application/problem+json", post.MediaType());
        Assert.Equal(0, Upstream.Calls());
    }

    [Fact]
    public async Task Post_body_that_is_not_json_or_too_large_is_refused_before_the_catalog()
    {
        using var notJson = await Client.PostAsync("/products", new StringContent("id=SKU-9", Encoding.UTF8, "application/json"));
        using var truncated = await Client.PostAsync("/products", new StringContent("""{"id":"SKU-9",""", Encoding.UTF8, "application/json"));
        var huge = $$"""{"id":"SKU-9","name":"{{new string('n', 70 * 1024)}}","price":1}""";
        using var tooLarge = await Client.PostAsync("/products", new StringContent(huge, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, truncated.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, tooLarge.StatusCode);
        Assert.Equal(0, Upstream.Calls());
    }
}
