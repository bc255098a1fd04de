using EdgeGuard.Proxy.SharedCache;
using Microsoft.AspNetCore.Http;
using static EdgeGuard.Proxy.Tests.HttpCaching.FreshnessTests;

namespace EdgeGuard.Proxy.Tests.HttpCaching;

[Trait("Category", "Unit")]
public sealed class SharedCacheKeyAndEntryTests
{
    private static readonly DateTimeOffset Arrived = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Primary_key_sorts_query_parameters_by_name_keeping_repeated_ones_in_order()
    {
        Assert.Equal("GET /a?a=1&b=2", Key("/a", "?b=2&a=1"));
        Assert.Equal(Key("/a", "?a=2&b=1&a=1"), Key("/a", "?b=1&a=2&a=1"));
        Assert.NotEqual(Key("/a", "?a=1&a=2"), Key("/a", "?a=2&a=1"));
        Assert.NotEqual(Key("/a", "?a=1"), Key("/a", "?a=2"));
        Assert.Equal("GET /a", Key("/a", ""));
        Assert.Equal(Key("/a", "?b=2&a=1"), SharedCacheKey.Primary(new Uri("http://h/a?b=2&a=1")));
    }

    [Fact]
    public void No_freshness_and_no_validator_is_not_stored() =>
        Assert.Null(ToEntry(200, ("Date", Http(Arrived))));

    [Fact]
    public void No_cache_with_a_validator_is_stored_already_stale_for_revalidation()
    {
        var entry = ToEntry(200, ("Cache-Control", "max-age=600, no-cache"), ("ETag", "\"a\""));

        Assert.NotNull(entry);
        Assert.True(entry.IsStaleAt(Arrived.AddMilliseconds(1)));
    }

    [Theory]
    [InlineData("Set-Cookie", "a=b")]
    [InlineData("Vary", "*")]
    [InlineData("Cache-Control", "no-store")]
    public void Answers_a_shared_cache_keeps_from_others_are_not_stored(string name, string value) =>
        Assert.Null(ToEntry(200, ("Cache-Control", "max-age=60"), (name, value)));

    [Fact]
    public void Stored_answer_counts_its_age_and_drops_the_age_header()
    {
        var entry = ToEntry(200, ("Cache-Control", "max-age=100"), ("Date", Http(Arrived)), ("Age", "30"))!;

        Assert.Equal(TimeSpan.FromSeconds(30), entry.InitialAge);
        Assert.Equal(Arrived.AddSeconds(70), entry.FreshUntil);
        Assert.Equal(TimeSpan.FromSeconds(40), entry.AgeAt(Arrived.AddSeconds(10)));
        Assert.DoesNotContain(entry.Headers, h => h.Key == "Age");
        Assert.Contains(entry.Headers, h => h.Key == "Date"); // replayed as the origin sent it
    }

    [Fact]
    public void Stored_entry_survives_the_redis_wire_format()
    {
        var entry = ToEntry(200, ("Cache-Control", "max-age=100"), ("Date", Http(Arrived)), ("Age", "30"))!;

        var read = System.Text.Json.JsonSerializer.Deserialize<CacheEntry>(
            System.Text.Json.JsonSerializer.Serialize(entry, CacheEntryFormatter.SerializerOptions), CacheEntryFormatter.SerializerOptions)!;

        Assert.Equal(entry.InitialAge, read.InitialAge);
        Assert.Equal(entry.FreshUntil, read.FreshUntil);
        Assert.Equal(entry.Headers, read.Headers);
    }

    private static string Key(string path, string query) => SharedCacheKey.Primary(PathString.Empty, new PathString(path), new QueryString(query.Length > 0 ? query : null));

    private static CacheEntry? ToEntry(int status, params (string Name, string Value)[] headers) =>
        SharedEntries.ToEntry(status, Headers(headers), "body"u8.ToArray(), Arrived, Arrived, requestHadAuthorization: false);
}
