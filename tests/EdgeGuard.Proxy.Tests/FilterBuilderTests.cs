using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using EdgeGuard.Filter;
using EdgeGuard.Proxy.Configuration;
using EdgeGuard.Proxy.Filtering;
using EdgeGuard.Proxy.Filtering.Sources;
using EdgeGuard.Proxy.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace EdgeGuard.Proxy.Tests;

/// <summary>Building a filter from its sources: exact counts, sizing for a catalog that outgrew its configuration, no shrink by accident.</summary>
public sealed class FilterBuilderTests
{
    [Fact]
    public async Task Ids_are_counted_once_however_often_the_sources_repeat_them()
    {
        var builder = Builder(new BloomOptions(),
            new ListSource("products-file", ["A-1", "A-2", "A-1", "not valid!", "A-3"], distinct: false),
            new ListSource("catalog", ["A-1", "A-2", "A-3", "A-4"], distinct: true));

        var built = await builder.BuildAsync(null, default);

        Assert.Equal(4, built.Items);
        Assert.All(new[] { "A-1", "A-2", "A-3", "A-4" }, id => Assert.True(built.Filter.MightContain(id)));
        Assert.False(built.Filter.MightContain("not valid!"));
    }

    [Fact]
    public async Task A_million_distinct_ids_count_as_a_million()
    {
        // The filter's own bit-based count misses ids whose bits were all set already (998,345 of 1,000,000).
        var ids = Enumerable.Range(0, 1_000_000).Select(i => $"SKU-{i:D7}").ToArray();
        var builder = Builder(new BloomOptions(), new ListSource("products-file", ids, distinct: false), new ListSource("catalog", ids, distinct: true));

        var built = await builder.BuildAsync(null, default);

        Assert.Equal(1_000_000, built.Items);
        Assert.True(built.Filter.Count < 1_000_000, "the bit-based count falls short: the reason the count is kept apart");
    }

    [Fact]
    public async Task A_catalog_that_outgrew_the_configured_size_gets_a_filter_sized_for_it()
    {
        var ids = Enumerable.Range(0, 2_000).Select(i => $"ID-{i}").ToArray();
        var builder = Builder(new BloomOptions { ExpectedItems = 1_000, GrowthHeadroom = 1.25 }, new ListSource("catalog", ids, distinct: true));

        var built = await builder.BuildAsync(null, default);

        Assert.True(built.OutgrewConfiguredSize);
        Assert.Equal(2_500, built.Filter.ExpectedItems);
        Assert.Equal(2_000, built.Items);
        Assert.True(built.Filter.FalsePositiveRateAt(built.Items) <= 0.01);
        Assert.All(ids, id => Assert.True(built.Filter.MightContain(id)));
        // Once known, the next build sizes for it at once.
        Assert.Equal(2_500, builder.Capacity(2_000));
    }

    [Fact]
    public async Task A_source_that_fails_halfway_fails_the_build()
    {
        var builder = Builder(new BloomOptions(), new ListSource("catalog", ["A-1", "A-2"], distinct: true, failAfter: 1));

        await Assert.ThrowsAsync<IOException>(() => builder.BuildAsync(null, default));
    }

    [Fact]
    public async Task A_rebuild_that_would_shrink_the_filter_is_refused_unless_forced()
    {
        using var catalog = Upstream.StartCatalog();
        var all = string.Join('\n', Enumerable.Range(0, 100).Select(i => $"CAT-{i}"));
        var half = string.Join('\n', Enumerable.Range(0, 50).Select(i => $"CAT-{i}"));
        catalog.Given(Request.Create().WithPath("/products/ids").UsingGet()).AtPriority(2).RespondWith(Response.Create().WithStatusCode(200).WithBody(all));
        await using var gateway = new GatewayFactory(catalog.Url!, [], new Dictionary<string, string?>
        {
            ["EdgeGuard:Bloom:LoadFromCatalog"] = "true",
            ["PRODUCTS_FILE"] = "",
        });
        using var client = await gateway.CreateReadyClientAsync();
        catalog.Given(Request.Create().WithPath("/products/ids").UsingGet()).AtPriority(1).RespondWith(Response.Create().WithStatusCode(200).WithBody(half));

        using var refused = await client.SendAsync(Reload(force: false));
        using var keptRead = await client.GetAsync("/products/CAT-99");
        var keptItems = await ItemsAsync(client);
        using var forced = await client.SendAsync(Reload(force: true));
        var forcedItems = await ItemsAsync(client);

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("MaxShrinkShare", await refused.Content.ReadAsStringAsync());
        Assert.NotEqual("bloom", keptRead.Source());
        Assert.Equal(100, keptItems);
        Assert.Equal(HttpStatusCode.OK, forced.StatusCode);
        Assert.Equal(50, forcedItems);
    }

    private static async Task<long> ItemsAsync(HttpClient client) =>
        JsonDocument.Parse(await client.GetStringAsync("/bloom/stats")).RootElement.GetProperty("current_items").GetInt64();

    private static HttpRequestMessage Reload(bool force)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, force ? "/bloom/reload?force=true" : "/bloom/reload");
        request.Headers.Add("X-Admin-Key", GatewayFactory.AdminKey);
        return request;
    }

    [Theory]
    [InlineData(null, BloomFilterLayout.Blocked)]
    [InlineData("standard", BloomFilterLayout.Standard)]
    [InlineData("Blocked", BloomFilterLayout.Blocked)]
    public async Task The_configured_layout_is_the_built_filters(string? configured, BloomFilterLayout expected)
    {
        var bloom = configured is null ? new BloomOptions() : new BloomOptions { Layout = configured };
        var built = await Builder(bloom, new ListSource("catalog", ["A-1", "A-2"], distinct: true)).BuildAsync(null, default);

        Assert.Equal(expected, built.Filter.Layout);
        Assert.Equal(BloomFilterMath.Size(1_000_000, 0.01).BitCount, new BloomFilter(1_000_000, 0.01, BloomFilterLayout.Standard).BitCount);
        Assert.Equal(new BloomFilter(1_000_000, 0.01, expected).BitCount, built.Filter.BitCount);
        Assert.True(built.Filter.MightContain("A-1"));
    }

    private static FilterBuilder Builder(BloomOptions bloom, params IIdSource[] sources)
    {
        var keys = new FilterKeyProvider(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build());
        keys.ResolveLocal(fromSnapshot: null);
        return new(new IdSourceSet(sources), ProductIdRule.Default, keys, Options.Create(new EdgeGuardOptions { Bloom = bloom }), TimeProvider.System, NullLogger<FilterBuilder>.Instance);
    }

    private sealed class ListSource(string name, IReadOnlyList<string> ids, bool distinct, int failAfter = -1) : IIdSource
    {
        public string Name => name;

        public string Identity => "list " + name;

        public bool YieldsDistinctIds => distinct;

        public async IAsyncEnumerable<string> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            for (var i = 0; i < ids.Count; i++)
            {
                if (i == failAfter)
                {
                    throw new IOException("the source went away");
                }

                yield return ids[i];
            }

            await Task.CompletedTask;
        }
    }
}
