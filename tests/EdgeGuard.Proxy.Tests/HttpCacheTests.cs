using System.IO.Compression;
using System.Net;
using System.Text;
using EdgeGuard.Proxy.Tests.Infrastructure;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace EdgeGuard.Proxy.Tests;

/// <summary>
/// A gateway in front of an existing API must not change what that API says: a cached answer is the catalog's
/// answer (status, end-to-end headers, body, plus Age), conditional requests are answered 304 from the cache,
/// answers a shared cache may not keep are passed through, and no client ever gets an encoding it did not accept.
/// The stand-in catalog sends validators, cache directives, gzip and cookies.
/// </summary>
public sealed class HttpCacheTests : GatewayTestBase
{
    private const string LastModified = "Tue, 24 Nov 2026 10:00:00 GMT";

    protected override IEnumerable<string> KnownIds =>
        ["SKU-ETAG", "SKU-NOSTORE", "SKU-PRIVATE", "SKU-NOCACHE", "SKU-COOKIE", "SKU-SHORT", "SKU-GZIP", "SKU-VARY", "SKU-VARY-TIER", "SKU-WEAK"];

    protected override void StubUpstream()
    {
        Product("SKU-ETAG", r => r
            .WithHeader("ETag", "\"v7\"")
            .WithHeader("Last-Modified", LastModified)
            .WithHeader("Cache-Control", "public, max-age=600")
            .WithHeader("X-Catalog-Version", "42")
            .WithHeader("X-EdgeGuard-Source", "forged-by-upstream"));
        Product("SKU-WEAK", r => r.WithHeader("ETag", "W/\"w1\""));
        Product("SKU-NOSTORE", r => r.WithHeader("Cache-Control", "no-store"));
        Product("SKU-PRIVATE", r => r.WithHeader("Cache-Control", "private, max-age=60"));
        Product("SKU-NOCACHE", r => r.WithHeader("Cache-Control", "no-cache"));
        Product("SKU-COOKIE", r => r.WithHeader("Set-Cookie", "session=abc; Path=/; HttpOnly"));
        Product("SKU-SHORT", r => r.WithHeader("Cache-Control", "public, s-maxage=1, max-age=600"));
        Product("SKU-VARY", r => r.WithHeader("Vary", "Accept-Language"));
        Product("SKU-VARY-TIER", r => r.WithHeader("Vary", "X-Tier"));

        // A catalog that compresses only for clients that ask for it.
        var json = """{"id":"SKU-GZIP","name":"Zipped","price":3}""";
        Upstream.Given(Request.Create().WithPath("/products/SKU-GZIP").UsingGet().WithHeader("Accept-Encoding", "*gzip*"))
            .AtPriority(1)
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithHeader("Content-Encoding", "gzip").WithHeader("Vary", "Accept-Encoding").WithBody(Gzip(json)));
        Upstream.Given(Request.Create().WithPath("/products/SKU-GZIP").UsingGet())
            .AtPriority(2)
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithHeader("Vary", "Accept-Encoding").WithBody(json));
    }

    [Fact]
    public async Task Cached_answer_replays_the_catalogs_end_to_end_headers_and_an_age()
    {
        using var first = await Client.GetAsync("/products/SKU-ETAG");
        using var cached = await Client.GetAsync("/products/SKU-ETAG");

        Assert.Equal("upstream", first.Source());
        Assert.Equal("cache", cached.Source());
        Assert.Equal("\"v7\"", cached.Headers.ETag?.ToString());
        Assert.Equal(LastModified, cached.Content.Headers.LastModified?.ToString("R"));
        Assert.Equal("public, max-age=600", cached.Headers.CacheControl?.ToString());
        Assert.Equal("42", cached.Headers.GetValues("X-Catalog-Version").Single());
        Assert.NotNull(cached.Headers.Age);
        Assert.InRange(cached.Headers.Age!.Value, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        Assert.Equal("cache", Assert.Single(cached.Headers.GetValues("X-EdgeGuard-Source"))); // the catalog's own is never replayed
        Assert.Equal(await first.Content.ReadAsStringAsync(), await cached.Content.ReadAsStringAsync());
        Assert.Equal(1, Upstream.CallsTo("/products/SKU-ETAG"));
    }

    [Theory]
    [InlineData("If-None-Match", "\"v7\"", HttpStatusCode.NotModified)]
    [InlineData("If-None-Match", "\"v6\", \"v7\"", HttpStatusCode.NotModified)]
    [InlineData("If-None-Match", "*", HttpStatusCode.NotModified)]
    [InlineData("If-None-Match", "W/\"v7\"", HttpStatusCode.NotModified)] // weak comparison (RFC 9110 13.1.2)
    [InlineData("If-None-Match", "\"v6\"", HttpStatusCode.OK)]
    [InlineData("If-Modified-Since", LastModified, HttpStatusCode.NotModified)]
    [InlineData("If-Modified-Since", "Mon, 23 Nov 2026 10:00:00 GMT", HttpStatusCode.OK)]
    public async Task Conditional_get_that_matches_the_cached_entry_is_answered_304_from_the_cache(string header, string value, HttpStatusCode expected)
    {
        using (await Client.GetAsync("/products/SKU-ETAG")) { }
        var request = new HttpRequestMessage(HttpMethod.Get, "/products/SKU-ETAG");
        request.Headers.TryAddWithoutValidation(header, value);

        using var response = await Client.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("cache", response.Source());
        Assert.Equal(1, Upstream.CallsTo("/products/SKU-ETAG"));
        if (expected == HttpStatusCode.NotModified)
        {
            Assert.Empty(await response.Content.ReadAsByteArrayAsync());
            Assert.Equal("\"v7\"", response.Headers.ETag?.ToString());
        }
    }

    [Fact]
    public async Task Weak_etag_from_the_catalog_is_matched_weakly()
    {
        using (await Client.GetAsync("/products/SKU-WEAK")) { }
        var request = new HttpRequestMessage(HttpMethod.Get, "/products/SKU-WEAK");
        request.Headers.TryAddWithoutValidation("If-None-Match", "\"w1\"");

        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
    }

    [Theory]
    [InlineData("SKU-NOSTORE")]
    [InlineData("SKU-PRIVATE")]
    [InlineData("SKU-NOCACHE")]
    [InlineData("SKU-COOKIE")]
    [InlineData("SKU-VARY")]
    [InlineData("SKU-VARY-TIER")]
    public async Task Answer_a_shared_cache_may_not_keep_costs_one_catalog_request_per_read(string id)
    {
        var answers = new List<(string Source, HttpStatusCode Status)>();
        for (var i = 0; i < 4; i++)
        {
            using var response = await Client.GetAsync($"/products/{id}");
            answers.Add((response.Source(), response.StatusCode));
        }

        Assert.All(answers, answer => Assert.Equal(("upstream", HttpStatusCode.OK), answer));
        // The first read's fetch learns the answer cannot be shared and hands it to that read alone (nothing it
        // depends on was left out of the fetch); every later read is the client's own request to the catalog.
        Assert.Equal(4, Upstream.CallsTo($"/products/{id}"));
    }

    [Theory]
    [InlineData("SKU-PRIVATE", "Cookie", "session=mine")]
    [InlineData("SKU-COOKIE", "Cookie", "session=mine")]
    [InlineData("SKU-VARY-TIER", "X-Tier", "gold")]
    public async Task Answer_that_may_depend_on_what_the_fetch_left_out_is_asked_again_with_the_clients_own_request(string id, string header, string value)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/products/{id}");
        request.Headers.Add(header, value);
        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("upstream", response.Source());
        // The fetch (without the client's header), then the client's own request (with it): the answer it gets is its own.
        var calls = Upstream.LogEntries.Where(entry => entry.RequestMessage?.Path == $"/products/{id}").Select(entry => entry.RequestMessage!).ToList();
        Assert.Equal(2, calls.Count);
        Assert.False(calls[0].Headers?.ContainsKey(header) ?? false, $"the shared fetch carried the client's {header}");
        Assert.Equal(value, calls[1].Headers![header].Single());
    }

    [Fact]
    public async Task Passed_through_answer_reaches_its_client_as_the_catalog_sent_it()
    {
        using var response = await Client.GetAsync("/products/SKU-COOKIE");

        Assert.Equal("session=abc; Path=/; HttpOnly", response.Headers.GetValues("Set-Cookie").Single());
    }

    [Fact]
    public async Task S_maxage_shortens_the_time_an_answer_is_kept()
    {
        using var first = await Client.GetAsync("/products/SKU-SHORT");
        using var cached = await Client.GetAsync("/products/SKU-SHORT");
        await Task.Delay(TimeSpan.FromSeconds(1.3)); // past s-maxage=1 (the clock is the subject, not a race)
        using var refetched = await Client.GetAsync("/products/SKU-SHORT");

        Assert.Equal("cache", cached.Source());
        Assert.Equal("upstream", refetched.Source());
        Assert.Equal(2, Upstream.CallsTo("/products/SKU-SHORT"));
    }

    [Fact]
    public async Task No_client_receives_an_encoding_it_did_not_accept()
    {
        var gzipClient = Gateway.CreateDefaultClient();
        var plain = new HttpRequestMessage(HttpMethod.Get, "/products/SKU-GZIP");
        var zipped = new HttpRequestMessage(HttpMethod.Get, "/products/SKU-GZIP");
        zipped.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip");

        using var forZipClient = await gzipClient.SendAsync(zipped); // first: fills the cache
        using var forPlainClient = await Client.SendAsync(plain);

        // The shared fetch asked for no encoding: the cache holds the identity body, fit for everyone.
        Assert.Empty(forPlainClient.Content.Headers.ContentEncoding);
        Assert.Equal("cache", forPlainClient.Source());
        Assert.Contains("Zipped", await forPlainClient.Content.ReadAsStringAsync());
        Assert.DoesNotContain("gzip", forZipClient.Content.Headers.ContentEncoding); // identity is acceptable to a gzip client too
        Assert.Contains("Zipped", await forZipClient.Content.ReadAsStringAsync());
    }

    private void Product(string id, Func<IResponseBuilder, IResponseBuilder> headers) =>
        Upstream.Given(Request.Create().WithPath($"/products/{id}").UsingGet())
            .RespondWith(headers(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithBody($$"""{"id":"{{id}}","name":"Product","price":1}""")));

    private static byte[] Gzip(string text)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }

        return output.ToArray();
    }
}
