using static EdgeGuard.Proxy.Tests.HttpCaching.FreshnessTests;

namespace EdgeGuard.Proxy.Tests.HttpCaching;

[Trait("Category", "Unit")]
public sealed class TargetedCacheControlTests
{
    [Theory]
    [InlineData("max-age=3600", 3600)]
    [InlineData("foobar, max-age=3600", 3600)]
    [InlineData("max-age=3600;p=1, a=\"x\", b=:aGk=:, c=?1, d=tok/en, e=1.5", 3600)]
    [InlineData("max-age=99999999999", 2147483648)]
    public void A_valid_dictionary_gives_its_directives(string field, long seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), TargetedCacheControl.Parse([field])!.MaxAge);

    [Theory]
    [InlineData("max-age=10000, &&&&&")] // not a key
    [InlineData("max-age=\"10000\"")] // a string where an integer is due
    [InlineData("MaX-aGe=3600")] // keys are lowercase
    [InlineData("max-age =100")]
    [InlineData("max-age= 100")]
    [InlineData("max-age=100,")]
    [InlineData("max-age=-1")]
    public void An_invalid_field_is_ignored_whole(string field) => Assert.Null(TargetedCacheControl.Parse([field]));

    [Fact]
    public void A_valid_field_replaces_cache_control_and_expires()
    {
        var (directives, targeted) = TargetedCacheControl.For(Headers(("Cache-Control", "no-store"), ("CDN-Cache-Control", "max-age=60")));

        Assert.True(targeted);
        Assert.False(directives.NoStore);
        Assert.Equal(TimeSpan.FromSeconds(60), directives.MaxAge);
    }

    [Fact]
    public void An_invalid_field_leaves_cache_control_in_charge()
    {
        var (directives, targeted) = TargetedCacheControl.For(Headers(("Cache-Control", "no-store"), ("CDN-Cache-Control", "max-age=\"60\"")));

        Assert.False(targeted);
        Assert.True(directives.NoStore);
    }
}
