using System.Runtime.CompilerServices;
using EdgeGuard.Proxy.Filtering.Snapshots;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGuard.Proxy.Tests.Restarts;

/// <summary>
/// The restart rule, decision by decision: which snapshot may reject, which must wait for the rebuild, and what a
/// source that can list its new ids adds first. Sources and clock are the test's own.
/// </summary>
public sealed class SnapshotRestorerTests
{
    private static readonly TimeSpan ReloadInterval = TimeSpan.FromMinutes(5);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task A_snapshot_of_other_sources_is_ignored()
    {
        var catalog = new SilentSource("catalog", "http://catalog-a/products/ids");
        var snapshot = Snapshot(new IdSourceSet([new SilentSource("catalog", "http://catalog-b/products/ids")]), age: TimeSpan.FromSeconds(1));

        var decision = await Restorer(catalog).DecideAsync(snapshot, "test", CancellationToken.None);

        Assert.Equal(SnapshotStatus.IgnoredOtherSources, decision.Status);
        Assert.Null(decision.Filter);
    }

    [Fact]
    public async Task A_snapshot_without_provenance_is_ignored()
    {
        var catalog = new SilentSource("catalog", "http://catalog/products/ids");
        var snapshot = Snapshot(new IdSourceSet([catalog]), age: TimeSpan.Zero) with { Provenance = null };

        Assert.Equal(SnapshotStatus.IgnoredOtherSources, (await Restorer(catalog).DecideAsync(snapshot, "test", CancellationToken.None)).Status);
    }

    [Theory]
    [InlineData(60, SnapshotStatus.Restored)]
    [InlineData(299, SnapshotStatus.Restored)]
    [InlineData(301, SnapshotStatus.RestoredWaiting)]
    [InlineData(3600, SnapshotStatus.RestoredWaiting)]
    public async Task A_source_that_cannot_say_what_changed_bounds_the_snapshots_age_by_ReloadInterval(int ageSeconds, SnapshotStatus expected)
    {
        var catalog = new SilentSource("catalog", "http://catalog/products/ids");
        var snapshot = Snapshot(new IdSourceSet([catalog]), TimeSpan.FromSeconds(ageSeconds));

        var decision = await Restorer(catalog).DecideAsync(snapshot, "test", CancellationToken.None);

        Assert.Equal(expected, decision.Status);
        Assert.Same(snapshot.Filter, decision.Filter!.Filter);
    }

    [Fact]
    public async Task An_unchanged_products_file_keeps_an_old_snapshot_in_use_and_a_changed_one_does_not()
    {
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllLinesAsync(path, ["SKU-1"]);
            var file = new ProductsFileSource(path, ProductIdRule.Default, required: true, NullLogger<ProductsFileSource>.Instance);
            var sources = new IdSourceSet([file]);
            var snapshot = await SnapshotAsync(sources, TimeSpan.FromHours(2));

            var unchanged = await Restorer(file).DecideAsync(snapshot, "test", CancellationToken.None);
            await File.AppendAllLinesAsync(path, ["SKU-2"]);
            var changed = await Restorer(file).DecideAsync(snapshot, "test", CancellationToken.None);

            Assert.Equal(SnapshotStatus.Restored, unchanged.Status);
            Assert.Equal(SnapshotStatus.RestoredWaiting, changed.Status);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task An_incremental_source_is_read_from_the_snapshots_cursor_into_it_before_it_rejects_whatever_its_age()
    {
        var rows = new ListedSource(["OLD-1", "OLD-2", "NEW-1", "NEW-2", "not valid!"]);
        rows.StartFrom("2"); // the snapshot's filter holds the first two
        var snapshot = await SnapshotAsync(new IdSourceSet([rows]), TimeSpan.FromDays(3), ids: ["OLD-1", "OLD-2"]);
        rows.StartFrom("0"); // a restarted source knows nothing of where it was

        var decision = await Restorer(rows).DecideAsync(snapshot, "test", CancellationToken.None);

        Assert.Equal(SnapshotStatus.Restored, decision.Status);
        Assert.True(decision.Filter!.Filter.MightContain("NEW-1") && decision.Filter.Filter.MightContain("NEW-2"));
        Assert.Equal(4, decision.Filter.Items);
        Assert.Equal("5", decision.Filter.Provenance!.Positions["rows"]); // its poller goes on from after the last row
        Assert.Equal("5", await rows.PositionAsync(CancellationToken.None));
    }

    [Fact]
    public async Task An_incremental_source_that_cannot_be_read_makes_the_snapshot_wait()
    {
        var rows = new ListedSource(["OLD-1", "NEW-1"]);
        rows.StartFrom("1");
        var snapshot = await SnapshotAsync(new IdSourceSet([rows]), TimeSpan.FromSeconds(1), ids: ["OLD-1"]);
        rows.Fails = true;

        var decision = await Restorer(rows).DecideAsync(snapshot, "test", CancellationToken.None);

        Assert.Equal(SnapshotStatus.RestoredWaiting, decision.Status);
        Assert.False(decision.Filter!.Filter.MightContain("NEW-1"));
    }

    private SnapshotRestorer Restorer(params IIdSource[] sources) =>
        new(new IdSourceSet(sources), ProductIdRule.Default,
            Options.Create(new EdgeGuardOptions { Bloom = { ReloadInterval = ReloadInterval } }), _time, NullLogger<SnapshotRestorer>.Instance);

    /// <summary>A snapshot of <paramref name="sources"/> whose sources were read <paramref name="age"/> ago, positions as they are now.</summary>
    private async Task<BuiltFilter> SnapshotAsync(IdSourceSet sources, TimeSpan age, IEnumerable<string>? ids = null)
    {
        var positions = new Dictionary<string, string>();
        foreach (var source in sources.All)
        {
            if (await source.PositionAsync(CancellationToken.None) is { } position)
            {
                positions[source.Name] = position;
            }
        }

        return Snapshot(sources, age, ids) with { Provenance = new FilterProvenance(sources.Identity, _time.GetUtcNow() - age, positions) };
    }

    private BuiltFilter Snapshot(IdSourceSet sources, TimeSpan age, IEnumerable<string>? ids = null)
    {
        var filter = new BloomFilter(1_000, 0.01, BloomFilterKey.NewRandom());
        var items = 0L;
        foreach (var id in ids ?? ["SKU-1"])
        {
            filter.Add(id);
            items++;
        }

        return new BuiltFilter(filter, items, TimeSpan.Zero, false, new FilterProvenance(sources.Identity, _time.GetUtcNow() - age, new Dictionary<string, string>()));
    }

    /// <summary>A source that cannot say what changed (the catalog's id list, a plain query).</summary>
    private sealed class SilentSource(string name, string identity) : IIdSource
    {
        public string Name => name;

        public string Identity => identity;

        public bool YieldsDistinctIds => true;

        public IAsyncEnumerable<string> ReadAllAsync(CancellationToken cancellationToken) => AsyncEnumerable.Empty<string>();
    }

    /// <summary>An incremental source over fixed rows whose cursor is the index of the next row.</summary>
    private sealed class ListedSource(IReadOnlyList<string> rows) : IIncrementalIdSource
    {
        private int _cursor;

        public bool Fails { get; set; }

        public string Name => "rows";

        public string Identity => "rows table";

        public bool YieldsDistinctIds => true;

        public TimeSpan PollInterval => TimeSpan.FromSeconds(1);

        public async IAsyncEnumerable<string> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            foreach (var row in rows)
            {
                yield return row;
            }

            await Task.CompletedTask;
        }

        public ValueTask<string?> PositionAsync(CancellationToken cancellationToken) => ValueTask.FromResult<string?>(_cursor.ToString(System.Globalization.CultureInfo.InvariantCulture));

        public ValueTask<SinceSnapshot> SinceAsync(string position, CancellationToken cancellationToken) => ValueTask.FromResult(SinceSnapshot.Readable);

        public void StartFrom(string position) => _cursor = int.Parse(position, System.Globalization.CultureInfo.InvariantCulture);

        public Task<IdBatch> ReadNewAsync(int maxIds, CancellationToken cancellationToken)
        {
            if (Fails)
            {
                throw new IOException("the database went away");
            }

            var batch = rows.Skip(_cursor).Take(maxIds).ToList();
            return Task.FromResult(batch.Count == 0 ? IdBatch.Empty : new IdBatch(batch, _cursor + batch.Count) { MayHaveMore = _cursor + batch.Count < rows.Count });
        }

        public void Advance(IdBatch batch)
        {
            if (batch.Cursor is int cursor)
            {
                _cursor = cursor;
            }
        }
    }
}
