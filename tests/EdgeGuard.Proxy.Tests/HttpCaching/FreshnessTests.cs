namespace EdgeGuard.Proxy.Tests.HttpCaching;

[Trait("Category", "Unit")]
public sealed class FreshnessTests
{
    private static readonly DateTimeOffset Arrived = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void S_maxage_wins_over_max_age_which_wins_over_expires()
    {
        var headers = Headers(("Cache-Control", "max-age=60, s-maxage=30"), ("Expires", Http(Arrived.AddHours(1))), ("Date", Http(Arrived)));
        Assert.Equal(TimeSpan.FromSeconds(30), Lifetime(headers));
        Assert.Equal(TimeSpan.FromSeconds(60), Lifetime(Headers(("Cache-Control", "max-age=60"), ("Expires", Http(Arrived.AddHours(1))))));
    }

    [Fact]
    public void Expires_counts_from_date_and_from_arrival_without_one()
    {
        Assert.Equal(TimeSpan.FromSeconds(100), Lifetime(Headers(("Expires", Http(Arrived.AddSeconds(400))), ("Date", Http(Arrived.AddSeconds(300))))));
        Assert.Equal(TimeSpan.FromSeconds(10), Lifetime(Headers(("Expires", Http(Arrived.AddSeconds(10))), ("Date", "foo"))));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("Thu, 18 Aug 2050 02:01:18 UTC")]
    public void An_invalid_expires_means_already_expired(string expires) =>
        Assert.Equal(TimeSpan.Zero, Lifetime(Headers(("Expires", expires))));

    [Fact]
    public void Several_different_expires_mean_already_expired() =>
        Assert.Equal(TimeSpan.Zero, Lifetime(Headers(("Expires", Http(Arrived.AddDays(1))), ("Expires", Http(Arrived.AddDays(2))))));

    [Fact]
    public void No_explicit_lifetime_without_directives_or_expires() => Assert.Null(Lifetime(Headers(("Date", Http(Arrived)))));

    [Theory]
    [InlineData(200, "", 8640)] // a tenth of a day since Last-Modified
    [InlineData(404, "", 8640)]
    [InlineData(201, "", 0)] // not heuristically cacheable
    [InlineData(599, "public", 8640)] // unless public
    public void Heuristic_lifetime_is_a_tenth_of_the_time_since_last_modified(int status, string cacheControl, int seconds)
    {
        var headers = Headers(("Date", Http(Arrived)), ("Last-Modified", Http(Arrived.AddDays(-1))), ("Cache-Control", cacheControl));
        var directives = CacheDirectives.Parse(HeaderFields.Lines(headers, "Cache-Control"));

        Assert.Equal(TimeSpan.FromSeconds(seconds), Freshness.HeuristicLifetime(status, headers, directives, Arrived));
    }

    [Fact]
    public void Heuristic_lifetime_is_capped() =>
        Assert.Equal(Freshness.MaxHeuristicLifetime, Freshness.HeuristicLifetime(200,
            Headers(("Date", Http(Arrived)), ("Last-Modified", Http(Arrived.AddDays(-365)))), CacheDirectives.None, Arrived));

    [Fact]
    public void Initial_age_is_the_larger_of_apparent_age_and_age_plus_the_request_time()
    {
        var sent = Arrived.AddSeconds(-2);
        // Apparent age: arrived 100 s after its Date.
        Assert.Equal(TimeSpan.FromSeconds(100), Freshness.InitialAge(Headers(("Date", Http(Arrived.AddSeconds(-100))), ("Age", "30")), sent, Arrived));
        // Age plus the 2 s the request took.
        Assert.Equal(TimeSpan.FromSeconds(32), Freshness.InitialAge(Headers(("Date", Http(Arrived)), ("Age", "30")), sent, Arrived));
        // A Date in the future gives no negative age.
        Assert.Equal(TimeSpan.FromSeconds(2), Freshness.InitialAge(Headers(("Date", Http(Arrived.AddSeconds(50)))), sent, Arrived));
    }

    [Theory]
    [InlineData("7200, 0", 7200)] // the first value of the first line
    [InlineData("0, 7200", 0)]
    [InlineData("abc", 0)] // ignored
    [InlineData("-7200", 0)]
    [InlineData("7200.0", 0)]
    [InlineData("2147483649", 2147483648)]
    public void Age_header_is_read_from_its_first_value(string age, long seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), Freshness.AgeValue(Headers(("Age", age), ("Age", "5"))));

    [Fact]
    public void Current_age_adds_the_time_held() =>
        Assert.Equal(TimeSpan.FromSeconds(40), Freshness.CurrentAge(TimeSpan.FromSeconds(30), Arrived, Arrived.AddSeconds(10)));

    private static TimeSpan? Lifetime(List<KeyValuePair<string, string>> headers) =>
        Freshness.ExplicitLifetime(headers, CacheDirectives.Parse(HeaderFields.Lines(headers, "Cache-Control")), Arrived);

    internal static List<KeyValuePair<string, string>> Headers(params (string Name, string Value)[] headers) =>
        headers.Where(h => h.Value.Length > 0).Select(h => new KeyValuePair<string, string>(h.Name, h.Value)).ToList();

    internal static string Http(DateTimeOffset date) => date.ToString("r");
}
