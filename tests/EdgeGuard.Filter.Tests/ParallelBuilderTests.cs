namespace EdgeGuard.Filter.Tests;

public class ParallelBuilderTests
{
    private static readonly BloomFilterKey Key = BloomFilterKey.Parse("000102030405060708090a0b0c0d0e0f");

    /// <summary>Ids of many lengths, with duplicates, and one far longer than a batch's initial character room.</summary>
    private static string[] MixedIds(int count)
    {
        var ids = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            ids.Add(i % 97 == 0 ? TestIds.Present(i / 2) : i % 13 == 0 ? $"x{i}" : TestIds.Present(i));
        }

        ids.Add(new string('L', 100_000));
        ids.Add("");
        return [.. ids];
    }

    private static (BloomFilter Filter, long NewItems) Sequential(BloomFilterLayout layout, IEnumerable<string> ids, long n)
    {
        var filter = new BloomFilter(n, 0.01, layout, Key);
        long newItems = 0;
        foreach (var id in ids)
        {
            newItems += filter.Add(id) ? 1 : 0;
        }

        return (filter, newItems);
    }

    [Theory]
    [InlineData(BloomFilterLayout.Blocked, 1, 1_000)]
    [InlineData(BloomFilterLayout.Blocked, 2, 777)]
    [InlineData(BloomFilterLayout.Blocked, 4, 5_000)]
    [InlineData(BloomFilterLayout.Blocked, 3, ParallelBloomFilterBuilder.DefaultBatchSize)]
    [InlineData(BloomFilterLayout.Standard, 1, 1_000)]
    [InlineData(BloomFilterLayout.Standard, 2, 777)]
    [InlineData(BloomFilterLayout.Standard, 4, 5_000)]
    public void Same_bits_and_count_as_sequential_adds(BloomFilterLayout layout, int threads, int batchSize)
    {
        var ids = MixedIds(60_000);
        var (expected, expectedNew) = Sequential(layout, ids, 50_000);

        var filter = new BloomFilter(50_000, 0.01, layout, Key);
        using var builder = new ParallelBloomFilterBuilder(filter, threads, batchSize);
        foreach (var id in ids)
        {
            builder.Add(id);
        }

        Assert.Equal(ids.Length, builder.Added);
        Assert.Equal(expectedNew, builder.Complete());
        Assert.Equal(expected.Count, filter.Count);
        Assert.Equal(expected.CopyBits(), filter.CopyBits());
        Assert.All(ids, id => Assert.True(filter.MightContain(id)));
    }

    [Theory]
    [InlineData(BloomFilterLayout.Blocked)]
    [InlineData(BloomFilterLayout.Standard)]
    public void A_filter_already_holding_ids_keeps_them_and_counts_on(BloomFilterLayout layout)
    {
        var first = TestIds.PresentRange(3_000);
        var second = TestIds.PresentRange(6_000).Skip(2_000).ToArray();
        var (expected, _) = Sequential(layout, first.Concat(second), 10_000);

        var filter = new BloomFilter(10_000, 0.01, layout, Key);
        foreach (var id in first)
        {
            filter.Add(id);
        }

        var report = filter.AddAllParallel(second, maxDegreeOfParallelism: 2);
        Assert.Equal(expected.CopyBits(), filter.CopyBits());
        Assert.Equal(expected.Count, filter.Count);
        Assert.InRange(report.AlreadyPresent, 1_000, 1_010); // the 1,000 overlapping ids, and rarely a false positive
    }

    [Theory]
    [InlineData(BloomFilterLayout.Blocked)]
    [InlineData(BloomFilterLayout.Standard)]
    public void AddAllParallel_reports_what_AddAll_reports(BloomFilterLayout layout)
    {
        var rule = new ProductIdRule("^SKU-[0-9]+$");
        var entries = MixedIds(20_000).Cast<string?>().Append(null).Append("  ").Append("bad id").ToArray();
        var sequential = new BloomFilter(20_000, 0.01, layout, Key);
        var parallel = new BloomFilter(20_000, 0.01, layout, Key);

        var expected = sequential.AddAll(entries, rule);
        var actual = parallel.AddAllParallel(entries, rule, maxDegreeOfParallelism: 2);

        Assert.Equal((expected.LinesRead, expected.Added, expected.Skipped, expected.AlreadyPresent), (actual.LinesRead, actual.Added, actual.Skipped, actual.AlreadyPresent));
        Assert.Equal(expected.FirstSkippedLines, actual.FirstSkippedLines);
        Assert.Equal(sequential.CopyBits(), parallel.CopyBits());
        Assert.True(expected.AlreadyPresent > 0, "the duplicates are reported");
    }

    [Fact]
    public async Task AddAllParallelAsync_gives_the_same_bits_and_report()
    {
        var ids = MixedIds(30_000);
        var sequential = new BloomFilter(30_000, 0.01, Key);
        var expected = sequential.AddAll(ids);

        var parallel = new BloomFilter(30_000, 0.01, Key);
        var actual = await parallel.AddAllParallelAsync(Stream(ids), maxDegreeOfParallelism: 2);

        Assert.Equal(expected with { FirstSkippedLines = [] }, actual with { FirstSkippedLines = [] });
        Assert.Equal(sequential.CopyBits(), parallel.CopyBits());
        Assert.Equal(sequential.Count, parallel.Count);

        // Through the builder itself, in batches of 100, so that most adds wait for a hand-off.
        var batched = new BloomFilter(30_000, 0.01, Key);
        using var builder = new ParallelBloomFilterBuilder(batched, 2, batchSize: 100);
        foreach (var id in ids.Where(id => id.Length > 0)) // AddAll skips the blank one
        {
            await builder.AddAsync(id);
        }

        Assert.Equal(expected.NewItems, await builder.CompleteAsync());
        Assert.Equal(sequential.CopyBits(), batched.CopyBits());
    }

    /// <summary>Ids handed over as memory the caller reuses at once (a source's chunk) are copied: the bits of the strings.</summary>
    [Theory]
    [InlineData(BloomFilterLayout.Blocked)]
    [InlineData(BloomFilterLayout.Standard)]
    public async Task Ids_added_from_one_reused_buffer_give_the_bits_of_the_strings(BloomFilterLayout layout)
    {
        var ids = MixedIds(30_000).Where(id => id.Length > 0).ToArray();
        var (sequential, newItems) = Sequential(layout, ids, 30_000);

        var reused = new BloomFilter(30_000, 0.01, layout, Key);
        using var builder = new ParallelBloomFilterBuilder(reused, 2, batchSize: 100);
        var buffer = new char[ids.Max(id => id.Length)];
        foreach (var id in ids)
        {
            id.CopyTo(buffer);
            await builder.AddAsync(buffer.AsMemory(0, id.Length));
            buffer.AsSpan(0, id.Length).Fill('#'); // what a source writes next must not reach the id handed over
        }

        Assert.Equal(newItems, await builder.CompleteAsync());
        Assert.Equal(sequential.CopyBits(), reused.CopyBits());
    }

    [Fact]
    public async Task A_cancelled_async_build_stops_and_gives_the_filter_back()
    {
        using var cancellation = new CancellationTokenSource();
        var filter = new BloomFilter(100_000, 0.01, Key);

        async IAsyncEnumerable<string?> CancelAfter(int count)
        {
            for (var i = 0; ; i++)
            {
                if (i == count)
                {
                    await cancellation.CancelAsync();
                }

                await Task.Yield();
                yield return TestIds.Present(i);
            }
        }

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => filter.AddAllParallelAsync(CancelAfter(50_000), cancellationToken: cancellation.Token));
        Assert.True(filter.Add("after"), "the builder gave the filter back");
    }

    [Fact]
    public void While_a_builder_fills_a_filter_other_writers_are_refused()
    {
        var filter = new BloomFilter(1_000, 0.01, Key);
        var other = new BloomFilter(1_000, 0.01, Key);
        var builder = new ParallelBloomFilterBuilder(filter, 2, batchSize: 10);
        builder.Add("a");

        Assert.Contains("ParallelBloomFilterBuilder", Assert.Throws<InvalidOperationException>(() => filter.Add("b")).Message);
        Assert.Throws<InvalidOperationException>(() => filter.UnionWith(other));
        Assert.Throws<InvalidOperationException>(() => new ParallelBloomFilterBuilder(filter));
        other.UnionWith(filter); // reading it is allowed

        Assert.Equal(1, builder.Complete());
        Assert.Throws<ObjectDisposedException>(() => builder.Add("c"));
        Assert.True(filter.MightContain("a"));
        Assert.True(filter.Add("b"));
        builder.Dispose();
    }

    [Fact]
    public void Disposing_without_completing_applies_the_batches_handed_over_and_gives_the_filter_back()
    {
        var filter = new BloomFilter(1_000, 0.01, BloomFilterLayout.Blocked, Key);
        using (var builder = new ParallelBloomFilterBuilder(filter, 2, batchSize: 10))
        {
            foreach (var id in TestIds.PresentRange(25))
            {
                builder.Add(id);
            }
        }

        // Two full batches of 10 were handed over; the last 5 ids were still being collected.
        Assert.All(TestIds.PresentRange(20), id => Assert.True(filter.MightContain(id)));
        Assert.Equal(20, filter.Count);
        Assert.True(filter.Add("after"));
    }

    [Fact]
    public void Arguments_are_checked()
    {
        var filter = new BloomFilter(1_000, 0.01);
        Assert.Equal("batchSize", Assert.Throws<ArgumentOutOfRangeException>(() => new ParallelBloomFilterBuilder(filter, 1, 0)).ParamName);
        Assert.Equal("batchSize", Assert.Throws<ArgumentOutOfRangeException>(() => new ParallelBloomFilterBuilder(filter, 1, ParallelBloomFilterBuilder.MaxBatchSize + 1)).ParamName);
        Assert.Equal("maxDegreeOfParallelism", Assert.Throws<ArgumentOutOfRangeException>(() => new ParallelBloomFilterBuilder(filter, -1)).ParamName);
        using var builder = new ParallelBloomFilterBuilder(filter);
        Assert.Throws<ArgumentNullException>(() => builder.Add((string)null!));
    }

    [Theory]
    [InlineData(BloomFilterLayout.Blocked)]
    [InlineData(BloomFilterLayout.Standard)]
    public void A_million_ids_streamed_through_small_batches_have_no_false_negative(BloomFilterLayout layout)
    {
        var filter = new BloomFilter(1_000_000, 0.01, layout, Key);
        using (var builder = new ParallelBloomFilterBuilder(filter, 2, batchSize: 100_000))
        {
            Span<char> id = stackalloc char[16];
            for (var i = 0; i < 1_000_000; i++)
            {
                "SKU-".CopyTo(id);
                i.TryFormat(id[4..], out var digits, "D7");
                builder.Add(id[..(4 + digits)]);
            }

            builder.Complete();
        }

        Assert.Empty(TestIds.PresentRange(1_000_000).Where(id => !filter.MightContain(id)).Take(5));
        Assert.InRange(filter.Count, 995_000, 1_000_000);
    }

    private static async IAsyncEnumerable<string?> Stream(IEnumerable<string> ids)
    {
        var i = 0;
        foreach (var id in ids)
        {
            if (++i % 1000 == 0)
            {
                await Task.Yield();
            }

            yield return id;
        }
    }
}
