using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

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

    /// <summary>
    /// The builder adds through the parallel builder: the very filter (bits, count, header) that adding the same ids one
    /// by one in the same order gives, repeats and invalid ids included.
    /// </summary>
    [Theory]
    [InlineData("blocked")]
    [InlineData("standard")]
    public async Task The_parallel_build_gives_the_bits_of_adding_the_ids_one_by_one(string layout)
    {
        var catalog = Enumerable.Range(0, 300_000).Select(i => $"SKU-{i:D7}").ToArray();
        var file = catalog.Where((_, i) => i % 3 == 0).Concat(["not valid!", "SKU-0000001"]).Concat(catalog.Take(1_000)).ToArray();
        var builder = Builder(new BloomOptions { ExpectedItems = 300_000, Layout = layout },
            new ListSource("products-file", file, distinct: false), new ListSource("catalog", catalog, distinct: true));

        var built = await builder.BuildAsync(null, default);

        var one = built.Filter.Key is { } key
            ? new BloomFilter(300_000, 0.01, built.Filter.Layout, key)
            : new BloomFilter(300_000, 0.01, built.Filter.Layout);
        foreach (var id in file.Concat(catalog).Where(id => ProductIdRule.Default.IsValid(id)))
        {
            one.Add(id);
        }

        Assert.Equal(Snapshot(one), Snapshot(built.Filter));
        Assert.Equal(300_000, built.Items);
    }

    /// <summary>
    /// Past what the distinct counter may hold (made small here; 16 MB, 1.47M ids, in the gateway), the count is
    /// estimated from the filter: its bit-based count plus the ids expected to have found their bits set already.
    /// </summary>
    [Theory]
    [InlineData("blocked")]
    [InlineData("standard")]
    public async Task Ids_too_many_to_count_are_estimated_from_the_filter_within_a_few_hundredths_of_a_percent(string layout)
    {
        const int distinct = 400_000;
        var catalog = Enumerable.Range(0, distinct).Select(i => $"SKU-{i:D7}").ToArray();
        // Sized a little above the count: one estimated at the exact capacity would be read again half of the time.
        var builder = Builder(new BloomOptions { ExpectedItems = distinct + distinct / 50, Layout = layout }, SmallCounter,
            new ListSource("products-file", [.. catalog, .. catalog], distinct: false), new ListSource("catalog", catalog, distinct: true));

        var built = await builder.BuildAsync(null, default);

        Assert.True(built.Filter.Count < distinct - 300, $"the bit-based count ({built.Filter.Count}) misses ids whose bits were set already");
        Assert.InRange(built.Items, distinct * 0.9997, distinct * 1.0003);
        Assert.False(built.OutgrewConfiguredSize);
    }

    /// <summary>
    /// A catalog far past the configured size, too many ids to count: the first filter is hopelessly overfull and its
    /// estimate says little but that it must grow, so the builder reads again, larger each time, until the ids fit; no
    /// false negative, and the rate promised at the count.
    /// </summary>
    [Fact]
    public async Task A_catalog_far_past_its_size_and_too_large_to_count_is_read_again_until_it_fits()
    {
        const int distinct = 300_000;
        var catalog = Enumerable.Range(0, distinct).Select(i => $"ID-{i}").ToArray();
        var builder = Builder(new BloomOptions { ExpectedItems = 10_000, GrowthHeadroom = 1.25 }, SmallCounter,
            new ListSource("products-file", catalog, distinct: false), new ListSource("catalog", catalog, distinct: true));

        var built = await builder.BuildAsync(null, default);

        Assert.True(built.OutgrewConfiguredSize);
        Assert.True(built.Filter.ExpectedItems >= distinct, $"sized for {built.Filter.ExpectedItems}");
        Assert.InRange(built.Items, distinct * 0.999, distinct * 1.001);
        Assert.True(built.Filter.FalsePositiveRateAt(built.Items) <= 0.01);
        Assert.All(catalog, id => Assert.True(built.Filter.MightContain(id)));
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
        await using var gateway = Gateways.Build().WithUpstream(catalog.Url!).LoadingFromCatalog().InProcess();
        using var client = await gateway.CreateReadyClientAsync();
        catalog.Given(Request.Create().WithPath("/products/ids").UsingGet()).AtPriority(1).RespondWith(Response.Create().WithStatusCode(200).WithBody(half));

        using var refused = await client.SendAsync(Reload(force: false));
        using var keptRead = await client.GetAsync("/products/CAT-99");
        var keptItems = (await client.StatsAsync()).GetProperty("current_items").GetInt64();
        using var forced = await client.SendAsync(Reload(force: true));
        var forcedItems = (await client.StatsAsync()).GetProperty("current_items").GetInt64();

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("MaxShrinkShare", await refused.Content.ReadAsStringAsync());
        Assert.NotEqual("bloom", keptRead.Source());
        Assert.Equal(100, keptItems);
        Assert.Equal(HttpStatusCode.OK, forced.StatusCode);
        Assert.Equal(50, forcedItems);
    }

    private static HttpRequestMessage Reload(bool force)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, force ? "/bloom/reload?force=true" : "/bloom/reload");
        request.Headers.Add("X-Admin-Key", Gateways.AdminKey);
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

    /// <summary>
    /// A source that hands its ids over in chunks (no string per id) is read that way, and builds the very filter its
    /// ids give added one by one: the id rule applied, and what it read and skipped counted as for a source of strings.
    /// </summary>
    [Theory]
    [InlineData("blocked")]
    [InlineData("standard")]
    public async Task A_source_read_in_chunks_builds_the_filter_of_its_ids_and_counts_them_as_strings_are(string layout)
    {
        // Many chunks of 1,024; ids longer than a chunk's 16 characters a place; a repeat; empty, invalid and too long ids.
        var ids = Enumerable.Range(0, 5_000).Select(i => i % 7 == 0 ? $"SKU-{i:D7}-{new string('x', i % 50)}" : $"SKU-{i:D7}")
            .Concat(["", "not valid!", "SKU-0000001", new string('A', 65)]).ToArray();
        var bloom = new BloomOptions { ExpectedItems = 10_000, Layout = layout };
        var chunkLogs = new CapturedLogs();
        var stringLogs = new CapturedLogs();

        var built = await Builder(bloom, chunkLogs, new ChunkSource("sql", ids)).BuildAsync(null, default);
        var fromStrings = await Builder(bloom, stringLogs, new ListSource("sql", ids, distinct: false)).BuildAsync(null, default);

        var one = new BloomFilter(10_000, 0.01, built.Filter.Layout, built.Filter.Key ?? throw new InvalidOperationException("the built filter is unkeyed"));
        foreach (var id in ids.Where(id => ProductIdRule.Default.IsValid(id)))
        {
            one.Add(id);
        }

        Assert.Equal(Snapshot(one), Snapshot(built.Filter));
        Assert.Equal(5_000, built.Items);
        Assert.Equal(fromStrings.Items, built.Items);
        var read = Assert.Single(chunkLogs.Entries, entry => entry.Message.StartsWith("Source sql:", StringComparison.Ordinal)).Message;
        Assert.StartsWith("Source sql: 5001 ids read, 3 invalid skipped", read);
        Assert.StartsWith(read[..read.IndexOf(" in ", StringComparison.Ordinal)],
            Assert.Single(stringLogs.Entries, entry => entry.Message.StartsWith("Source sql:", StringComparison.Ordinal)).Message);
    }

    private static byte[] Snapshot(BloomFilter filter)
    {
        using var bytes = new MemoryStream();
        filter.WriteTo(bytes);
        return bytes.ToArray();
    }

    /// <summary>A distinct counter that gives up past 5,734 ids.</summary>
    private const long SmallCounter = 64 * 1024;

    private static FilterBuilder Builder(BloomOptions bloom, params IIdSource[] sources) => Builder(bloom, DistinctIdCounter.DefaultMaxBytes, sources);

    private static FilterBuilder Builder(BloomOptions bloom, CapturedLogs logs, params IIdSource[] sources) =>
        Builder(bloom, DistinctIdCounter.DefaultMaxBytes, sources, new Logger<FilterBuilder>(new LoggerFactory([logs])));

    private static FilterBuilder Builder(BloomOptions bloom, long distinctCounterMaxBytes, params IIdSource[] sources) =>
        Builder(bloom, distinctCounterMaxBytes, sources, NullLogger<FilterBuilder>.Instance);

    private static FilterBuilder Builder(BloomOptions bloom, long distinctCounterMaxBytes, IIdSource[] sources, ILogger<FilterBuilder> logger)
    {
        var keys = new FilterKeyProvider(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build());
        keys.ResolveLocal(fromSnapshot: null);
        return new(new IdSourceSet(sources), ProductIdRule.Default, keys, Options.Create(new EdgeGuardOptions { Bloom = bloom }), TimeProvider.System, logger)
        {
            DistinctCounterMaxBytes = distinctCounterMaxBytes,
        };
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

    /// <summary>Ids in chunks of one reused <see cref="IdChunk"/>; reading it as strings fails, so a build shows which way it read.</summary>
    private sealed class ChunkSource(string name, IReadOnlyList<string> ids) : IChunkedIdSource
    {
        public string Name => name;

        public string Identity => "chunks " + name;

        public bool YieldsDistinctIds => false;

        public IAsyncEnumerable<string> ReadAllAsync(CancellationToken cancellationToken) =>
            throw new InvalidOperationException("a source of chunks was read as strings");

        public IAsyncEnumerable<IdChunk> ReadChunksAsync(CancellationToken cancellationToken) => IdChunk.Of(ids.ToAsyncEnumerable(), cancellationToken);
    }
}
