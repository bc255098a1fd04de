namespace EdgeGuard.Proxy.Tests.HttpCaching;

[Trait("Category", "Unit")]
public sealed class CacheDirectivesTests
{
    [Theory]
    [InlineData("max-age=3600", 3600)]
    [InlineData("MaX-aGe=3600", 3600)]
    [InlineData("max-age=003600", 3600)]
    [InlineData("max-age=\"3600\"", 3600)] // the quoted-string form is accepted
    [InlineData("foobar, max-age=3600", 3600)] // an unknown directive costs nothing
    [InlineData("max-age=1, max-age=1800", 1)] // the first one counts
    [InlineData("extension=\"max-age=3600\", max-age=1", 1)] // a directive inside a quoted string is not one
    [InlineData("max-age=1, extension=\"max-age=3600\"", 1)]
    public void Max_age_is_read_as_delta_seconds(string header, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), CacheDirectives.Parse([header]).MaxAge);

    [Theory]
    [InlineData("max-age='3600'")]
    [InlineData("max-age=-3600")]
    [InlineData("max-age=3600.0")]
    [InlineData("max-age=a3600")]
    [InlineData("max-age")]
    public void A_value_that_is_not_delta_seconds_leaves_the_directive_out(string header) =>
        Assert.Null(CacheDirectives.Parse([header]).MaxAge);

    [Theory]
    [InlineData("max-age=2147483648")]
    [InlineData("max-age=2147483649")]
    [InlineData("max-age=99999999999")]
    public void A_value_past_2_to_the_31_is_read_as_2_to_the_31(string header) =>
        Assert.Equal(CacheDirectives.MaxDeltaSeconds, CacheDirectives.Parse([header]).MaxAge);

    [Fact]
    public void Directives_are_read_across_field_lines_and_one_bad_value_costs_only_itself()
    {
        var directives = CacheDirectives.Parse(["No-StOrE, max-age=-1", "s-maxage=60, Must-Revalidate, stale-if-error=30, stale-while-revalidate=10"]);

        Assert.True(directives.NoStore);
        Assert.Null(directives.MaxAge);
        Assert.Equal(TimeSpan.FromSeconds(60), directives.SharedMaxAge);
        Assert.True(directives.MustRevalidate);
        Assert.Equal(TimeSpan.FromSeconds(30), directives.StaleIfError);
        Assert.Equal(TimeSpan.FromSeconds(10), directives.StaleWhileRevalidate);
    }

    [Fact]
    public void Qualified_no_cache_and_private_count_as_the_plain_directives()
    {
        var directives = CacheDirectives.Parse(["no-cache=\"Set-Cookie\", private=\"a, b\""]);

        Assert.True(directives.NoCache);
        Assert.True(directives.Private);
    }

    [Fact]
    public void Request_directives()
    {
        var directives = CacheDirectives.Parse(["only-if-cached, max-stale, min-fresh=5"]);

        Assert.True(directives.OnlyIfCached);
        Assert.Equal(CacheDirectives.MaxDeltaSeconds, directives.MaxStale);
        Assert.Equal(TimeSpan.FromSeconds(5), directives.MinFresh);
        Assert.True(CacheDirectives.Parse([]).IsEmpty);
    }
}
