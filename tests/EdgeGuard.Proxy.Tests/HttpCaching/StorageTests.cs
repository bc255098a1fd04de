using static EdgeGuard.Proxy.Tests.HttpCaching.FreshnessTests;

namespace EdgeGuard.Proxy.Tests.HttpCaching;

[Trait("Category", "Unit")]
public sealed class StorageTests
{
    [Theory]
    [InlineData(200, "max-age=60", false, true)]
    [InlineData(200, "", false, true)] // heuristically cacheable status
    [InlineData(201, "", false, false)]
    [InlineData(201, "max-age=60", false, true)] // any final status with explicit freshness
    [InlineData(500, "max-age=60", false, true)]
    [InlineData(206, "max-age=60", false, false)]
    [InlineData(304, "max-age=60", false, false)]
    [InlineData(200, "no-store, max-age=60", false, false)]
    [InlineData(200, "private, max-age=60", false, false)]
    [InlineData(200, "max-age=60, no-store, must-understand", false, true)] // understood status: must-understand wins
    [InlineData(599, "max-age=60, no-store, must-understand", false, false)]
    [InlineData(200, "max-age=60", true, false)] // a request with Authorization ...
    [InlineData(200, "max-age=60, public", true, true)] // ... only when the answer allows it
    [InlineData(200, "s-maxage=60", true, true)]
    [InlineData(200, "max-age=60, must-revalidate", true, true)]
    [InlineData(200, "no-cache", false, true)] // stored, revalidated on every use
    public void What_a_shared_cache_may_store(int status, string cacheControl, bool authorization, bool storable)
    {
        var headers = Headers(("Cache-Control", cacheControl));
        Assert.Equal(storable, Storage.MayStore(status, CacheDirectives.Parse(HeaderFields.Lines(headers, "Cache-Control")), headers, authorization));
    }

    [Fact]
    public void Expires_alone_makes_any_final_status_storable() =>
        Assert.True(Storage.MayStore(299, CacheDirectives.None, Headers(("Expires", "0")), false));

    [Fact]
    public void Validators_are_etag_and_last_modified()
    {
        Assert.True(Storage.HasValidator(Headers(("ETag", "\"a\""))));
        Assert.True(Storage.HasValidator(Headers(("Last-Modified", "Thu, 18 Aug 2050 02:01:18 GMT"))));
        Assert.False(Storage.HasValidator(Headers(("Date", "Thu, 18 Aug 2050 02:01:18 GMT"))));
    }

    [Theory]
    [InlineData("max-age=1", true)]
    [InlineData("max-age=1, must-revalidate", false)]
    [InlineData("max-age=1, proxy-revalidate", false)]
    [InlineData("max-age=1, s-maxage=1", false)]
    [InlineData("max-age=1, no-cache", false)]
    public void Stale_use_is_forbidden_by_revalidation_directives(string cacheControl, bool allowed)
    {
        var directives = CacheDirectives.Parse([cacheControl + ", stale-while-revalidate=10, stale-if-error=20"]);

        Assert.Equal(allowed, StaleUse.Allowed(directives));
        Assert.Equal(allowed ? TimeSpan.FromSeconds(10) : TimeSpan.Zero, StaleUse.WhileRevalidating(directives));
        Assert.Equal(allowed ? TimeSpan.FromSeconds(20) : TimeSpan.Zero, StaleUse.OnError(directives, TimeSpan.FromHours(1)));
    }

    [Fact]
    public void Without_stale_if_error_the_configured_fail_safe_applies() =>
        Assert.Equal(TimeSpan.FromHours(1), StaleUse.OnError(CacheDirectives.Parse(["max-age=1"]), TimeSpan.FromHours(1)));
}
