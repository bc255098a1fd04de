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

    [Fact]
    public async Task Ids_added_before_the_first_filter_is_in_use_are_in_it()
    {
        var filter = new ProductFilter();
        filter.Add("EARLY-1");

        await RebuildAsync(filter, []);

        Assert.True(filter.MightContain("EARLY-1"));
        Assert.False(filter.MightContain("NEVER-SEEN-1"));
    }

    [Fact]
    public async Task Id_added_while_a_rebuild_reads_its_sources_is_in_the_new_filter()
    {
        var filter = new ProductFilter();
        await RebuildAsync(filter, ["OLD-1"]);

        using (var rebuild = await filter.BeginRebuildAsync(default))
        {
            var next = Built(["OLD-1"]); // the sources were read before the add below
            filter.Add("DURING-1");
            rebuild.Commit(next, carryOverCurrent: false);
        }

        Assert.True(filter.MightContain("DURING-1"));
        Assert.True(filter.MightContain("OLD-1"));
    }

    [Fact]
    public async Task Pending_id_is_never_rejected_and_leaves_no_trace_when_its_write_is_refused()
    {
        var filter = new ProductFilter();
        await RebuildAsync(filter, ["SKU-1"]);

        Assert.True(filter.Pending.TryAdd("NEW-1"));
        Assert.True(filter.MightContain("NEW-1"));
        filter.Pending.Remove("NEW-1");

        Assert.False(filter.MightContain("NEW-1"));
        Assert.Equal(1, filter.Items);
    }

    [Fact]
    public void Pending_ids_are_exact_counted_and_bounded()
    {
        var pending = new PendingIds(capacity: 2);

        Assert.True(pending.TryAdd("A"));
        Assert.True(pending.TryAdd("A")); // a second write of the same id: counted, not a new entry
        Assert.True(pending.TryAdd("B"));
        Assert.False(pending.TryAdd("C"));
        pending.Remove("A");
        Assert.True(pending.Contains("A"));
        pending.Remove("A");
        Assert.False(pending.Contains("A"));
        Assert.True(pending.TryAdd("C"));
        Assert.Equal(2, pending.Count);
    }

    [Fact]
    public async Task Items_are_the_ids_built_from_plus_new_ids_added_since()
    {
        var filter = new ProductFilter();
        await RebuildAsync(filter, ["A-1", "A-2", "A-3"]);

        filter.Add("B-1");
        filter.Add("B-1");
        filter.Add("A-2");

        Assert.Equal(4, filter.Items);
    }

    [Theory]
    [InlineData(false)] // the catalog is a source: it lists every write that committed before it was read
    [InlineData(true)]  // the sources know nothing of the writes (a products file alone): carry-over keeps them
    public async Task Ids_written_while_rebuilds_run_are_never_lost(bool sourcesMissWrites)
    {
        var filter = new ProductFilter(maxPending: 100_000);
        var catalog = new ConcurrentDictionary<string, byte>();
        await RebuildAsync(filter, [], sourcesMissWrites);
        var written = new ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();

        var writers = Enumerable.Range(0, Environment.ProcessorCount * 2).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 20_000 && !stop.IsCancellationRequested; i++)
            {
                var id = $"W{w}-{i}";
                Assert.True(filter.Pending.TryAdd(id));
                await Task.Yield();
                catalog.TryAdd(id, 0); // the catalog commits while the write is in flight
                filter.Add(id);        // its 2xx arrived
                filter.Pending.Remove(id);
                written.Add(id);
            }
        })).ToArray();
        while (written.Count < 1_000)
        {
            await Task.Yield();
        }

        var writtenBeforeRebuilds = written.Count;
        for (var round = 0; round < 20; round++)
        {
            using var rebuild = await filter.BeginRebuildAsync(default);
            var next = Built(sourcesMissWrites ? [] : [.. catalog.Keys]);
            await Task.Yield(); // a source takes time: writes go on meanwhile
            rebuild.Commit(next, sourcesMissWrites);
        }

        var writtenDuringRebuilds = written.Count;
        stop.Cancel();
        await Task.WhenAll(writers);

        Assert.True(writtenDuringRebuilds > writtenBeforeRebuilds, "writes overlapped the rebuilds");
        var lost = written.Where(id => !filter.MightContain(id)).Take(5).ToList();
        Assert.True(lost.Count == 0, $"written through the gateway but denied by the filter: {string.Join(", ", lost)}");
    }

    [Fact]
    public async Task Id_added_shortly_before_a_rebuild_survives_sources_that_do_not_list_it_yet()
    {
        var filter = new ProductFilter(rebuildGrace: TimeSpan.FromMinutes(10));
        await RebuildAsync(filter, ["OLD-1"]);
        filter.Add("NEW-1"); // created through the gateway; the read replica has not caught up yet

        await RebuildAsync(filter, ["OLD-1"]); // the lagging source does not list it

        Assert.True(filter.MightContain("NEW-1"));
        Assert.Equal(2, filter.Items);
    }

    [Fact]
    public async Task Rebuild_grace_ends_so_deleted_products_can_leave_the_filter()
    {
        var filter = new ProductFilter(rebuildGrace: TimeSpan.Zero);
        await RebuildAsync(filter, ["OLD-1", "GONE-1"]);
        filter.Add("NEW-1");

        await RebuildAsync(filter, ["OLD-1"]);

        Assert.False(filter.MightContain("GONE-1"));
        Assert.False(filter.MightContain("NEW-1"));
    }

    [Fact]
    public async Task Rebuild_without_commit_keeps_the_filter_in_use()
    {
        var filter = new ProductFilter();
        await RebuildAsync(filter, ["KEEP-1"]);

        using (await filter.BeginRebuildAsync(default))
        {
            // the sources failed: no commit
        }

        Assert.True(filter.MightContain("KEEP-1"));
        Assert.False(filter.MightContain("NEVER-SEEN-5"));
        await RebuildAsync(filter, ["KEEP-1", "NEXT-1"]); // and the next rebuild is not blocked
        Assert.True(filter.MightContain("NEXT-1"));
    }

    [Fact]
    public async Task A_rebuild_into_another_layout_is_put_in_use_without_a_union()
    {
        // As for a filter of another size: the new filter cannot hold the old one's bits, so it is used as built
        // (and replayed into), never ORed with the old one.
        var filter = new ProductFilter(rebuildGrace: TimeSpan.FromMinutes(10));
        await RebuildAsync(filter, ["OLD-1"]);
        Assert.Equal(BloomFilterLayout.Blocked, filter.Current!.Layout);
        filter.Add("NEW-1");

        var standard = new BloomFilter(1_000_000, 0.01, BloomFilterLayout.Standard);
        standard.Add("OLD-1");
        using (var rebuild = await filter.BeginRebuildAsync(default))
        {
            rebuild.Commit(new BuiltFilter(standard, 1, TimeSpan.Zero, OutgrewConfiguredSize: false), carryOverCurrent: true);
        }

        Assert.Same(standard, filter.Current);
        Assert.True(filter.MightContain("NEW-1")); // replayed: added within the rebuild grace
        Assert.Equal(2, filter.Items);
    }

    private static async Task RebuildAsync(ProductFilter filter, IReadOnlyList<string> ids, bool carryOver = false)
    {
        using var rebuild = await filter.BeginRebuildAsync(default);
        rebuild.Commit(Built(ids), carryOver);
    }

    private static BuiltFilter Built(IReadOnlyList<string> ids)
    {
        var next = new BloomFilter(1_000_000, 0.01);
        foreach (var id in ids)
        {
            next.Add(id);
        }

        return new BuiltFilter(next, ids.Count, TimeSpan.Zero, OutgrewConfiguredSize: false);
    }
}
