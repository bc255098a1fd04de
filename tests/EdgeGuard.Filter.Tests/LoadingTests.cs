using System.Runtime.CompilerServices;
using System.Text;

namespace EdgeGuard.Filter.Tests;

public sealed class LoadingTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("edgeguard-filter-tests-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void AddAll_adds_every_entry_and_skips_blank_ones()
    {
        var filter = new BloomFilter(1000, 0.001);
        var report = filter.AddAll(["SKU-1", null, "SKU-2", "", "SKU-1", "   ", "SKU-3"]);

        Assert.Equal(new LoadReport(LinesRead: 7, Added: 4, Skipped: 3), report with { AlreadyPresent = 0, FirstSkippedLines = [] });
        Assert.Equal(1, report.AlreadyPresent);
        Assert.Equal(3, report.NewItems);
        Assert.Equal([2, 4, 6], report.FirstSkippedLines);
        Assert.Equal(3, filter.Count);
        Assert.True(filter.MightContain("SKU-1") && filter.MightContain("SKU-2") && filter.MightContain("SKU-3"));
    }

    [Fact]
    public void AddAll_with_a_rule_skips_invalid_ids()
    {
        var filter = new BloomFilter(1000, 0.001);
        var report = filter.AddAll(["SKU-1", "bad id", "-leading-dash", "SKU-2", new string('a', 65)], ProductIdRule.Default);

        Assert.Equal((5L, 2L, 3L), (report.LinesRead, report.Added, report.Skipped));
        Assert.Equal([2, 3, 5], report.FirstSkippedLines);
        Assert.False(filter.MightContain("bad id"));
    }

    [Fact]
    public void AddAll_keeps_at_most_ten_skipped_positions()
    {
        var filter = new BloomFilter(1000, 0.01);
        var report = filter.AddAll(Enumerable.Repeat<string?>(null, 25));
        Assert.Equal(25, report.Skipped);
        Assert.Equal(Enumerable.Range(1, 10), report.FirstSkippedLines);
    }

    [Fact]
    public async Task AddAllAsync_adds_every_entry_as_it_arrives()
    {
        var filter = new BloomFilter(10_000, 0.01);
        var report = await filter.AddAllAsync(Produce(TestIds.PresentRange(5_000).Append(null)));

        Assert.Equal((5_001L, 5_000L, 1L), (report.LinesRead, report.Added, report.Skipped));
        Assert.All(TestIds.PresentRange(5_000), id => Assert.True(filter.MightContain(id)));
    }

    [Fact]
    public async Task AddAllAsync_stops_when_cancelled_and_keeps_what_it_added()
    {
        var filter = new BloomFilter(10_000, 0.01);
        using var cancellation = new CancellationTokenSource();
        var ids = TestIds.PresentRange(1_000);

        async IAsyncEnumerable<string?> CancelAfter100([EnumeratorCancellation] CancellationToken token = default)
        {
            for (var i = 0; i < ids.Length; i++)
            {
                if (i == 100)
                {
                    await cancellation.CancelAsync();
                }

                await Task.Yield();
                yield return ids[i];
            }
        }

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => filter.AddAllAsync(CancelAfter100(), cancellation.Token));
        Assert.Equal(100, filter.Count);
        Assert.All(ids[..100], id => Assert.True(filter.MightContain(id)));
    }

    [Fact]
    public void AddFromFile_reads_the_products_txt_format()
    {
        var path = Path.Combine(_directory, "products.txt");
        var text = "\uFEFF# catalog export\r\n" +
                   "SKU-1\r\n" +
                   "  SKU-2  \r\n" +
                   "\r\n" +
                   "SKU-3,Blue widget,9.99\r\n" +
                   "bad id\r\n" +
                   "SKU-1\r\n" +
                   "SKU-4, Name, with, commas ,12\n" +
                   "SKU-5,no price,\n" +
                   "# trailing comment\n" +
                   "SKU-6";
        File.WriteAllText(path, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));

        var filter = new BloomFilter(1000, 0.001);
        var report = filter.AddFromFile(path, ProductIdRule.Default);

        Assert.Equal(11, report.LinesRead);
        Assert.Equal(6, report.Added);          // SKU-1 (twice), 2, 3, 4, 6
        Assert.Equal(1, report.AlreadyPresent); // the second SKU-1
        Assert.Equal(2, report.Skipped);        // "bad id", SKU-5 without a price
        Assert.Equal(3, report.Ignored);        // two comments, one blank line
        Assert.Equal([6, 9], report.FirstSkippedLines);
        foreach (var id in new[] { "SKU-1", "SKU-2", "SKU-3", "SKU-4", "SKU-6" })
        {
            Assert.True(filter.MightContain(id), id);
        }

        Assert.False(filter.MightContain("  SKU-2  "));
        Assert.False(filter.MightContain("SKU-5"));
        Assert.False(filter.MightContain("bad id"));
    }

    [Fact]
    public void AddFromFile_loads_a_million_ids()
    {
        var path = Path.Combine(_directory, "million.txt");
        File.WriteAllLines(path, TestIds.PresentRange(1_000_000));

        var filter = new BloomFilter();
        var report = filter.AddFromFile(path, ProductIdRule.Default);

        Assert.Equal((1_000_000L, 1_000_000L, 0L), (report.LinesRead, report.Added, report.Skipped));
        Assert.Equal(filter.Count, report.NewItems);
        Assert.True(filter.MightContain(TestIds.Present(0)) && filter.MightContain(TestIds.Present(999_999)));
    }

    [Fact]
    public void AddFromFile_of_a_missing_file_throws()
    {
        var filter = new BloomFilter(1000, 0.01);
        Assert.Throws<FileNotFoundException>(() => filter.AddFromFile(Path.Combine(_directory, "none.txt"), ProductIdRule.Default));
    }

    [Fact]
    public void AddFromReader_reads_the_same_format()
    {
        var filter = new BloomFilter(1000, 0.01);
        var report = filter.AddFromReader(new StringReader("a\n#c\n\nb,name,1\n!"), ProductIdRule.Default);
        Assert.Equal((5L, 2L, 1L, 2L), (report.LinesRead, report.Added, report.Skipped, report.Ignored));
        Assert.True(filter.MightContain("a") && filter.MightContain("b"));
    }

    private static async IAsyncEnumerable<string?> Produce(IEnumerable<string?> ids)
    {
        foreach (var id in ids)
        {
            await Task.Yield();
            yield return id;
        }
    }
}
