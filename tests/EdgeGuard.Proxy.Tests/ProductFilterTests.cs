using EdgeGuard.Filter;
using EdgeGuard.Proxy.Filtering;

namespace EdgeGuard.Proxy.Tests;

/// <summary>The filter holder's guarantees: no false negative while loading, rebuilding, or writing concurrently.</summary>
public sealed class ProductFilterTests
{
    [Fact]
    public void Before_the_first_load_nothing_is_rejected()
    {
        var filter = new ProductFilter();

        Assert.False(filter.IsReady);
        Assert.True(filter.MightContain("anything-at-all"));
    }

    [Theory]
    [InlineData(false)] // the catalog is a source: it lists every write that committed before it was read
    [InlineData(true)]  // the sources know nothing of the writes (a products file alone): carry-over keeps them
    public async Task Ids_written_while_rebuilds_run_are_never_lost(bool sourcesMissWrites)
    {
        var filter = new ProductFilter();
        var catalog = new System.Collections.Concurrent.ConcurrentDictionary<string, byte>();
        Task Load(BloomFilter f) => LoadAsync(f, sourcesMissWrites ? [] : catalog.Keys);
        await filter.RebuildAsync(() => new BloomFilter(1_000_000, 0.01), (f, _) => Load(f), sourcesMissWrites, default);
        var written = new System.Collections.Concurrent.ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();

        var writers = Enumerable.Range(0, Environment.ProcessorCount * 2).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 20_000 && !stop.IsCancellationRequested; i++)
            {
                var id = $"W{w}-{i}";
                using (filter.BeginWrite([id]))
                {
                    await Task.Yield();
                    catalog.TryAdd(id, 0); // the catalog commits while the write is in flight
                }

                written.Add(id);
            }
        })).ToArray();
        while (written.Count < 1_000)
        {
            await Task.Delay(1);
        }

        var writtenBeforeRebuilds = written.Count;
        for (var round = 0; round < 20; round++)
        {
            await filter.RebuildAsync(() => new BloomFilter(1_000_000, 0.01), (f, _) => Load(f), sourcesMissWrites, default);
        }

        var writtenDuringRebuilds = written.Count;
        stop.Cancel();
        await Task.WhenAll(writers);

        Assert.True(writtenDuringRebuilds > writtenBeforeRebuilds, "writes overlapped the rebuilds");
        var lost = written.Where(id => !filter.MightContain(id)).Take(5).ToList();
        Assert.True(lost.Count == 0, $"written through the gateway but denied by the filter: {string.Join(", ", lost)}");
    }

    private static async Task LoadAsync(BloomFilter filter, IEnumerable<string> ids)
    {
        foreach (var id in ids)
        {
            filter.Add(id);
        }

        await Task.Delay(2); // a source takes time: writes go on meanwhile
    }

    [Fact]
    public async Task Write_in_flight_when_a_rebuild_starts_is_carried_over()
    {
        var filter = new ProductFilter();
        await filter.RebuildAsync(() => new BloomFilter(1_000, 0.01), (_, _) => Task.CompletedTask, false, default);
        using var inFlight = filter.BeginWrite(["IN-FLIGHT-1"]);

        await filter.RebuildAsync(() => new BloomFilter(1_000, 0.01), (_, _) => Task.CompletedTask, false, default);

        Assert.True(filter.MightContain("IN-FLIGHT-1"));
    }

    [Fact]
    public async Task Failed_rebuild_keeps_the_filter_in_use()
    {
        var filter = new ProductFilter();
        await filter.RebuildAsync(() => new BloomFilter(1_000, 0.01), (f, _) => { f.Add("KEEP-1"); return Task.CompletedTask; }, false, default);

        await Assert.ThrowsAsync<IOException>(() =>
            filter.RebuildAsync(() => new BloomFilter(1_000, 0.01), (_, _) => throw new IOException("source gone"), false, default));

        Assert.True(filter.MightContain("KEEP-1"));
        Assert.False(filter.MightContain("NEVER-SEEN-5"));
    }
}
