using Microsoft.AspNetCore.Http;
using static EdgeGuard.Proxy.Tests.HttpCaching.FreshnessTests;

namespace EdgeGuard.Proxy.Tests.HttpCaching;

[Trait("Category", "Unit")]
public sealed class VaryAndRevalidationTests
{
    private static readonly Func<string, bool> All = _ => true;

    [Theory]
    [InlineData("*")]
    [InlineData("*, *")]
    [InlineData(", *")]
    [InlineData("Foo, *")]
    public void A_star_anywhere_matches_nothing(string vary) => Assert.True(VarySpec.Parse([vary])!.MatchesNothing);

    [Fact]
    public void Names_are_lower_cased_sorted_and_distinct_across_lines()
    {
        Assert.Equal(["bar", "foo"], VarySpec.Parse(["Foo, BAR", "foo"])!.Names);
        Assert.Null(VarySpec.Parse(["", " , "]));
    }

    [Fact]
    public void Secondary_key_normalises_values()
    {
        var vary = VarySpec.Parse(["Foo, Accept-Language"])!;

        Assert.Equal(Key(vary, ("Foo", ["1, 2"]), ("Accept-Language", ["en, de"])), Key(vary, ("Foo", ["1", "2"]), ("Accept-Language", ["de, en"])));
        Assert.Equal(Key(vary, ("Foo", [" 1 , 2 "]), ("Accept-Language", ["EN,  De"])), Key(vary, ("Foo", ["1,2"]), ("Accept-Language", ["de,en"])));
        Assert.NotEqual(Key(vary, ("Foo", ["1"])), Key(vary, ("Foo", ["2"])));
        Assert.NotEqual(Key(vary, ("Foo", ["2, 1"])), Key(vary, ("Foo", ["1, 2"]))); // an unknown header's order may matter
        Assert.NotEqual(Key(vary), Key(vary, ("Foo", [""]))); // absent is not empty
    }

    [Fact]
    public void A_header_the_fetch_does_not_forward_keys_as_absent()
    {
        var vary = VarySpec.Parse(["Accept-Encoding"])!;
        var request = new HeaderDictionary { ["Accept-Encoding"] = "gzip" };

        Assert.Equal(vary.SecondaryKey(new HeaderDictionary(), All), vary.SecondaryKey(request, name => name != "accept-encoding"));
    }

    [Fact]
    public void Validators_are_the_stored_etag_and_last_modified_as_stored()
    {
        var (ifNoneMatch, ifModifiedSince) = Revalidation.Validators(Headers(("ETag", "W/\"abc\""), ("Last-Modified", "Wed, 01 Jan 2020 00:00:00 GMT")));

        Assert.Equal("W/\"abc\"", ifNoneMatch);
        Assert.Equal("Wed, 01 Jan 2020 00:00:00 GMT", ifModifiedSince);
    }

    [Fact]
    public void A_304_replaces_the_fields_it_carries_and_keeps_the_others_and_content_length()
    {
        var stored = Headers(("Content-Type", "text/plain"), ("Test-Header", "old"), ("Test-Header", "older"), ("Content-Length", "10"), ("ETag", "\"a\""));
        var notModified = Headers(("Test-Header", "new"), ("Content-Length", "0"), ("Cache-Control", "max-age=60"));

        var freshened = Revalidation.Freshen(stored, notModified);

        Assert.Equal(
            [new("Content-Type", "text/plain"), new("Content-Length", "10"), new("ETag", "\"a\""), new("Test-Header", "new"), new("Cache-Control", "max-age=60")],
            freshened);
    }

    private static string Key(VarySpec vary, params (string Name, string[] Values)[] headers)
    {
        var request = new HeaderDictionary();
        foreach (var (name, values) in headers)
        {
            request[name] = values;
        }

        return vary.SecondaryKey(request, All);
    }
}
