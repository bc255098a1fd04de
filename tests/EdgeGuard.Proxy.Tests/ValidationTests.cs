namespace EdgeGuard.Proxy.Tests;

/// <summary>Bad input gets 400 at the edge, with no filter, cache or upstream work.</summary>
public sealed class ValidationTests : GatewayTestBase
{
    protected override GatewayBuilder Configure(GatewayBuilder gateway) => gateway.WithIds(["SKU-1"]);

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
        await using var gateway = await Builder.OnKestrelAsync();

        using var client = gateway.CreateClient();
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
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        Assert.Equal(0, Upstream.Calls());
    }

    [Theory]
    [InlineData("""{"id":123,"name":"x","price":1}""")]      // a number is not an id, whatever the catalog makes of it
    [InlineData("""{"id":null,"name":"x","price":1}""")]
    [InlineData("""{"id":["SKU-9"],"name":"x","price":1}""")]
    [InlineData("""{"id":"SKU-9","ID":"SKU-10","name":"x"}""")] // which one would the catalog take?
    [InlineData("""{"name":"x","price":1}""")]
    public async Task Post_id_must_be_one_json_string_matching_the_rule(string body)
    {
        using var response = await Client.PostAsync("/products", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.MediaType());
        Assert.Equal(0, Upstream.Calls());
        var stats = System.Text.Json.JsonDocument.Parse(await Client.GetStringAsync("/bloom/stats")).RootElement;
        Assert.Equal(1, stats.GetProperty("current_items").GetInt64());
    }

    [Theory]
    [InlineData("POST", "/products", "text/plain")]
    [InlineData("POST", "/products", "application/x-www-form-urlencoded")]
    [InlineData("PUT", "/products/SKU-1", "text/plain")]
    [InlineData("POST", "/products", null)]
    public async Task Write_body_that_is_not_json_is_415(string method, string path, string? contentType)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes("""{"id":"SKU-9","name":"x","price":1}"""));
        if (contentType is not null)
        {
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        }

        using var response = await Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = content });

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.MediaType());
        Assert.Equal(0, Upstream.Calls());
    }

    [Theory]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("application/merge-patch+json")]
    public async Task Json_media_types_with_parameters_or_suffixes_are_accepted(string contentType)
    {
        var content = new StringContent("""{"id":"SKU-9","name":"x","price":1}""", Encoding.UTF8);
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);

        using var response = await Client.PostAsync("/products", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, Upstream.Calls());
    }

    [Fact]
    public async Task Body_shorter_than_its_content_length_is_400_incomplete_body()
    {
        await using var gateway = await Builder.OnKestrelAsync();
        const string body = """{"id":"SKU-9",""";

        // The client promised 100 bytes, sent 14 and waits: Kestrel gives up on the body after its minimum
        // data rate's grace period (5 s), and the answer must say what happened.
        var (status, answer) = await RawHttp.SendAsync(gateway.Address,
            $"POST /products HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{body}", keepOpen: true);

        Assert.Equal(400, status);
        Assert.Contains("application/problem+json", answer);
        Assert.Contains("Incomplete request body", answer);
        Assert.Equal(0, Upstream.Calls());
    }
}
