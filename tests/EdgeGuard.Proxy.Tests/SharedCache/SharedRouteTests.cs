using WireMock.Types;
using WireMock.Util;

namespace EdgeGuard.Proxy.Tests.SharedCache;

/// <summary>
/// A route with <c>EdgeGuard.Cache: shared</c> (here the catch-all) in front of a WireMock origin: one fetch per key
/// however many ask, the key's query parameters sorted, Vary honoured by secondary keys, no default lifetime,
/// revalidation with the stored validators and the stored headers updated from the 304, and invalidation by an
/// unsafe method of the same URL. What reached the origin is counted from WireMock's log.
/// </summary>
[Integration]
public sealed class SharedRouteTests : GatewayTestBase
{
    private readonly Latch _fetch = new();
    private volatile int _revalidations;

    protected override GatewayBuilder Configure(GatewayBuilder gateway) => gateway.WithSharedCatchAllRoute();

    protected override void StubUpstream()
    {
        // Held at the origin until every request is in.
        Upstream.Given(Request.Create().WithPath("/catalog/categories").UsingGet()).RespondWith(Response.Create().WithCallback(async _ =>
        {
            _fetch.Arrive();
            await _fetch.Released;
            return Answer(200, "categories", ("Cache-Control", "max-age=60"));
        }));

        foreach (var language in new[] { "en", "de" })
        {
            Upstream.Given(Request.Create().WithPath("/catalog/localized").UsingGet().WithHeader("Accept-Language", language))
                .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Cache-Control", "max-age=60").WithHeader("Vary", "Accept-Language")
                    .WithBody($"hello in {language}"));
        }

        Upstream.Given(Request.Create().WithPath("/catalog/nothing-said").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("no freshness, no validator"));

        // Fresh for a second; a conditional request with its ETag is answered 304 with a longer lifetime and a new header.
        Upstream.Given(Request.Create().WithPath("/catalog/validated").UsingGet()).RespondWith(Response.Create().WithCallback(request =>
        {
            if (request.Headers?.TryGetValue("If-None-Match", out var etag) == true && etag.Contains("\"v1\""))
            {
                Interlocked.Increment(ref _revalidations);
                return Answer(304, null, ("ETag", "\"v1\""), ("Cache-Control", "max-age=60"), ("X-Catalog-Version", "2"));
            }

            return Answer(200, "validated body", ("ETag", "\"v1\""), ("Cache-Control", "max-age=1"), ("X-Catalog-Version", "1"));
        }));

        // Says which cookie it saw: the one answer stored, the other private to each client.
        foreach (var (path, cacheControl) in new[] { ("/catalog/public", "max-age=60"), ("/catalog/personal", "private") })
        {
            Upstream.Given(Request.Create().WithPath(path).UsingGet()).RespondWith(Response.Create().WithCallback(request =>
                Answer(200, request.Headers?.TryGetValue("Cookie", out var cookie) == true ? "cookie " + cookie.Single() : "no cookie",
                    ("Cache-Control", cacheControl))));
        }

        Upstream.Given(Request.Create().WithPath("/catalog/items").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Cache-Control", "max-age=60").WithBody("items"));
        Upstream.Given(Request.Create().WithPath("/catalog/items").UsingPost()).RespondWith(Response.Create().WithStatusCode(201));
        Upstream.Given(Request.Create().WithPath("/catalog/items").UsingPut()).RespondWith(Response.Create().WithStatusCode(500));
    }

    [Fact]
    public async Task Concurrent_requests_for_one_key_make_one_fetch_whatever_the_order_of_their_query_parameters()
    {
        var first = Client.GetAsync("/catalog/categories?page=2&sort=name");
        await _fetch.Arrived.WaitAsync(TimeSpan.FromSeconds(10)); // the fetch is at the origin
        var others = Enumerable.Range(0, 30)
            .Select(i => Client.GetAsync(i % 2 == 0 ? "/catalog/categories?page=2&sort=name" : "/catalog/categories?sort=name&page=2"))
            .ToList();
        await Task.Yield();
        Assert.All(others, other => Assert.False(other.IsCompleted)); // each waits for the one fetch (or the cache)
        _fetch.Release();
        var answers = await Task.WhenAll(others.Prepend(first));

        Assert.All(answers, answer => Assert.Equal(HttpStatusCode.OK, answer.StatusCode));
        Assert.All(answers, answer => Assert.Equal("categories", answer.Content.ReadAsStringAsync().Result));
        Assert.Equal(1, Upstream.CallsTo("/catalog/categories"));
        foreach (var answer in answers)
        {
            answer.Dispose();
        }
    }

    [Fact]
    public async Task Different_query_values_are_different_keys()
    {
        _fetch.Release();
        using (await Client.GetAsync("/catalog/categories?page=1")) { }
        using (await Client.GetAsync("/catalog/categories?page=2")) { }
        using var again = await Client.GetAsync("/catalog/categories?page=1");

        Assert.Equal("cache", again.Source());
        Assert.Equal(2, Upstream.CallsTo("/catalog/categories"));
    }

    [Fact]
    public async Task Each_variant_of_a_vary_answer_is_stored_under_the_request_values_it_varies_on()
    {
        var english = await GetAsync("/catalog/localized", ("Accept-Language", "en"));
        var german = await GetAsync("/catalog/localized", ("Accept-Language", "de"));
        var englishAgain = await GetAsync("/catalog/localized", ("Accept-Language", "en"));
        var germanAgain = await GetAsync("/catalog/localized", ("Accept-Language", " de "));

        Assert.Equal(("hello in en", "upstream"), english);
        Assert.Equal(("hello in de", "upstream"), german);
        Assert.Equal(("hello in en", "cache"), englishAgain);
        Assert.Equal(("hello in de", "cache"), germanAgain); // normalised: whitespace does not make another variant
        Assert.Equal(2, Upstream.CallsTo("/catalog/localized"));
    }

    [Fact]
    public async Task Answer_without_freshness_or_validator_is_never_reused()
    {
        for (var i = 0; i < 3; i++)
        {
            using var response = await Client.GetAsync("/catalog/nothing-said");
            Assert.Equal("upstream", response.Source());
        }

        Assert.Equal(3, Upstream.CallsTo("/catalog/nothing-said"));
    }

    [Fact]
    public async Task Expired_answer_is_revalidated_with_its_etag_and_the_304_updates_its_headers()
    {
        using (var first = await Client.GetAsync("/catalog/validated"))
        {
            Assert.Equal("1", first.Headers.GetValues("X-Catalog-Version").Single());
        }

        await Task.Delay(TimeSpan.FromSeconds(1.3)); // past max-age=1 (the clock is the subject, not a race)
        using var revalidated = await Client.GetAsync("/catalog/validated");
        using var cached = await Client.GetAsync("/catalog/validated");

        Assert.Equal(HttpStatusCode.OK, revalidated.StatusCode);
        Assert.Equal("validated body", await revalidated.Content.ReadAsStringAsync()); // the stored body, freshened
        Assert.Equal("2", revalidated.Headers.GetValues("X-Catalog-Version").Single()); // updated from the 304
        Assert.Equal("max-age=60", revalidated.Headers.CacheControl?.ToString());
        Assert.Equal("cache", cached.Source()); // fresh again, for the 304's max-age
        Assert.Equal(1, _revalidations);
        Assert.Equal(2, Upstream.CallsTo("/catalog/validated"));
        var conditional = Upstream.LogEntries.Last(e => e.RequestMessage?.Path == "/catalog/validated").RequestMessage!;
        Assert.Equal("\"v1\"", conditional.Headers!["If-None-Match"].Single());
    }

    [Fact]
    public async Task Client_conditional_that_matches_the_stored_answer_is_answered_304_from_the_cache()
    {
        using (await Client.GetAsync("/catalog/validated")) { }
        using var response = await Client.GetAsync("/catalog/validated", ("If-None-Match", "\"v1\""));

        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
        Assert.Equal("\"v1\"", response.Headers.ETag?.ToString());
        Assert.Equal(1, Upstream.CallsTo("/catalog/validated"));
    }

    [Fact]
    public async Task Successful_post_to_the_url_invalidates_it_and_a_failed_put_does_not()
    {
        using (await Client.GetAsync("/catalog/items")) { }
        using (var cached = await Client.GetAsync("/catalog/items"))
        {
            Assert.Equal("cache", cached.Source());
        }

        using (var failedPut = await Client.PutAsync("/catalog/items", new StringContent("x")))
        {
            Assert.Equal(HttpStatusCode.InternalServerError, failedPut.StatusCode);
        }

        using (var stillCached = await Client.GetAsync("/catalog/items"))
        {
            Assert.Equal("cache", stillCached.Source()); // a failed write changes nothing
        }

        using (var post = await Client.PostAsync("/catalog/items", new StringContent("x")))
        {
            Assert.Equal(HttpStatusCode.Created, post.StatusCode);
        }

        using var afterPost = await Client.GetAsync("/catalog/items");

        Assert.Equal("upstream", afterPost.Source());
        Assert.Equal(2, Upstream.LogEntries.Count(e => e.RequestMessage?.Path == "/catalog/items" && e.RequestMessage.Method == "GET"));
    }

    [Fact]
    public async Task A_shared_fetch_leaves_the_clients_cookie_out_and_a_private_answer_goes_to_its_own_client_with_it()
    {
        var withCookie = await GetAsync("/catalog/public", ("Cookie", "session=1"));
        var withoutCookie = await GetAsync("/catalog/public");
        var personal = await GetAsync("/catalog/personal", ("Cookie", "session=2"));

        Assert.Equal(("no cookie", "upstream"), withCookie); // what anyone would get, stored for everyone
        Assert.Equal(("no cookie", "cache"), withoutCookie);
        Assert.Equal(("cookie session=2", "upstream"), personal); // not storable: its own request, cookie and all
        Assert.Equal(1, Upstream.CallsTo("/catalog/public"));
    }

    [Fact]
    public async Task A_byte_range_is_served_from_the_stored_whole_answer()
    {
        using (await Client.GetAsync("/catalog/items")) { }
        using var partial = await Client.GetAsync("/catalog/items", ("Range", "bytes=1-3"));

        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal("tem", await partial.Content.ReadAsStringAsync());
        Assert.Equal("bytes 1-3/5", partial.Content.Headers.ContentRange?.ToString());
        Assert.Equal(1, Upstream.CallsTo("/catalog/items"));
    }

    private async Task<(string Body, string Source)> GetAsync(string path, params (string Name, string Value)[] headers)
    {
        using var response = await Client.GetAsync(path, headers);
        return (await response.Content.ReadAsStringAsync(), response.Source());
    }

    private static ResponseMessage Answer(int status, string? body, params (string Name, string Value)[] headers)
    {
        var message = new ResponseMessage
        {
            StatusCode = status,
            Headers = headers.ToDictionary(h => h.Name, h => new WireMockList<string>(h.Value)),
        };
        if (body is not null)
        {
            message.BodyData = new BodyData { BodyAsString = body, DetectedBodyType = BodyType.String };
        }

        return message;
    }
}
