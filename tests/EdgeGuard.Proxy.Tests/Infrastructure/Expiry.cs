namespace EdgeGuard.Proxy.Tests.Infrastructure;

/// <summary>Entries living their lifetime and no longer, on the real clock (the cache's own).</summary>
public static class Expiry
{
    /// <summary>
    /// <paramref name="id"/>, fresh for a second: fetched once, then answered from the cache (<paramref name="cachedAs"/>),
    /// then fetched again once that second has passed (the clock is the subject here, not a race).
    /// </summary>
    public static async Task AssertCachedUntilItExpiresAsync(HttpClient client, WireMockServer upstream, string id, HttpStatusCode status, string cachedAs)
    {
        Assert.Equal((status, "upstream"), await client.ReadAsync(id));
        Assert.Equal((status, cachedAs), await client.ReadAsync(id));
        Assert.Equal(1, upstream.CallsTo("/products/" + id));

        await Task.Delay(TimeSpan.FromSeconds(1.3));

        Assert.Equal((status, "upstream"), await client.ReadAsync(id));
        Assert.Equal(2, upstream.CallsTo("/products/" + id));
    }
}
