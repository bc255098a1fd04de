using Microsoft.AspNetCore.Http;
using static EdgeGuard.Proxy.Tests.HttpCaching.FreshnessTests;

namespace EdgeGuard.Proxy.Tests.HttpCaching;

[Trait("Category", "Unit")]
public sealed class PreconditionsAndInvalidationTests
{
    private const string LastModified = "Wed, 01 Jan 2020 00:00:00 GMT";

    [Theory]
    [InlineData("If-None-Match", "\"v7\"", true)]
    [InlineData("If-None-Match", "\"v6\", \"v7\"", true)]
    [InlineData("If-None-Match", "W/\"v7\"", true)] // weak comparison
    [InlineData("If-None-Match", "*", true)]
    [InlineData("If-None-Match", "\"v6\"", false)]
    [InlineData("If-Modified-Since", LastModified, true)]
    [InlineData("If-Modified-Since", "Tue, 31 Dec 2019 00:00:00 GMT", false)]
    public void Client_conditional_against_the_stored_answer(string header, string value, bool notModified)
    {
        var request = new HeaderDictionary { [header] = value };
        Assert.Equal(notModified, Preconditions.IsNotModified(request, 200, Headers(("ETag", "\"v7\""), ("Last-Modified", LastModified))));
    }

    [Fact]
    public void If_none_match_takes_precedence_over_if_modified_since()
    {
        var request = new HeaderDictionary { ["If-None-Match"] = "\"v6\"", ["If-Modified-Since"] = LastModified };
        Assert.False(Preconditions.IsNotModified(request, 200, Headers(("ETag", "\"v7\""), ("Last-Modified", LastModified))));
    }

    [Fact]
    public void Without_last_modified_the_fallback_date_is_compared_and_only_2xx_answers_are()
    {
        var request = new HeaderDictionary { ["If-Modified-Since"] = LastModified };
        var date = new DateTimeOffset(2019, 6, 1, 0, 0, 0, TimeSpan.Zero);

        Assert.True(Preconditions.IsNotModified(request, 200, Headers(), date));
        Assert.False(Preconditions.IsNotModified(request, 200, Headers())); // no fallback given
        Assert.False(Preconditions.IsNotModified(request, 404, Headers(("Last-Modified", LastModified))));
    }

    [Theory]
    [InlineData("POST", 201, true)]
    [InlineData("PUT", 204, true)]
    [InlineData("DELETE", 302, true)]
    [InlineData("M-SEARCH", 200, true)] // any unsafe method
    [InlineData("POST", 500, false)]
    [InlineData("POST", 404, false)]
    [InlineData("GET", 200, false)]
    [InlineData("OPTIONS", 200, false)]
    public void Unsafe_methods_that_succeed_invalidate(string method, int status, bool invalidates) =>
        Assert.Equal(invalidates, Invalidation.Invalidates(method, status));

    [Fact]
    public void Location_and_content_location_of_the_same_origin_are_invalidated_too()
    {
        var response = new HeaderDictionary { ["Location"] = "other", ["Content-Location"] = "https://elsewhere.example/x" };

        var targets = Invalidation.Targets(new Uri("http://shop.example/catalog/items?x=1"), response);

        Assert.Equal(["http://shop.example/catalog/items?x=1", "http://shop.example/catalog/other"], targets.Select(t => t.ToString()));
    }
}
