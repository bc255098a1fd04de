using EdgeGuard.Proxy.Filtering.Snapshots;

namespace EdgeGuard.Proxy.Tests.Restarts;

/// <summary>The local snapshot and its journal never lose an id recorded beside a save, and carry their provenance.</summary>
public sealed class LocalFilterStoreTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("edgeguard-store-").FullName;

    private LocalFilterStore Store() => new(Options.Create(new EdgeGuardOptions { Bloom = { SnapshotPath = Path.Combine(_directory, "filter.snapshot") } }),
        NullLogger<LocalFilterStore>.Instance);

    [Fact]
    public async Task A_save_that_begins_while_an_id_is_recorded_waits_for_it_so_a_restart_holds_it()
    {
        var key = BloomFilterKey.NewRandom();
        var filter = new BloomFilter(1_000, 0.01, key);
        var store = Store();
        var inAdd = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // The id is journalled, and the add is held: a save that ran now and truncated the journal would lose it.
        var recording = Task.Run(() => store.Record(["HELD-1"], id =>
        {
            inAdd.SetResult();
            release.Task.Wait();
            filter.Add(id);
        }));
        await inAdd.Task;
        var saving = Task.Run(() => store.Save(filter, 0, provenance: null));

        // The save cannot move the journal while the record holds it (if it could, it would be done well within this).
        Assert.NotSame(saving, await Task.WhenAny(saving, Task.Delay(TimeSpan.FromMilliseconds(300))));
        release.SetResult();
        await Task.WhenAll(recording, saving);

        var (restored, journal) = Store().Load(key)!.Value;
        Assert.True(restored.Filter.MightContain("HELD-1") || journal.Contains("HELD-1"));
    }

    [Fact]
    public void Ids_recorded_after_a_save_are_in_the_journal_and_the_provenance_comes_back()
    {
        var key = BloomFilterKey.NewRandom();
        var filter = new BloomFilter(1_000, 0.01, key);
        var store = Store();
        store.Record(["BEFORE-1"], id => filter.Add(id));
        var provenance = new FilterProvenance("products-file /data/products.txt", DateTimeOffset.UnixEpoch.AddDays(20_000), new Dictionary<string, string> { ["sql"] = "i64|bigint|42" });
        store.Save(filter, 1, provenance);
        store.Record(["AFTER-1"], id => filter.Add(id));

        var (restored, journal) = Store().Load(key)!.Value;

        Assert.True(restored.Filter.MightContain("BEFORE-1"));
        Assert.Equal(["AFTER-1"], journal);
        Assert.Equal(provenance.Sources, restored.Provenance!.Sources);
        Assert.Equal(provenance.ReadAt, restored.Provenance.ReadAt);
        Assert.Equal("i64|bigint|42", restored.Provenance.Positions["sql"]);
        Assert.Equal(1, restored.Items);
    }

    [Fact]
    public void A_journal_left_aside_by_a_crash_mid_save_is_read_at_start()
    {
        var key = BloomFilterKey.NewRandom();
        var filter = new BloomFilter(1_000, 0.01, key);
        var store = Store();
        store.Save(filter, 0, provenance: null);
        File.WriteAllText(Path.Combine(_directory, "filter.snapshot.journal.saving"), "ASIDE-1\n");
        store.Record(["AFTER-1"], id => filter.Add(id));

        var (_, journal) = Store().Load(key)!.Value;

        Assert.Equal(["ASIDE-1", "AFTER-1"], journal);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
