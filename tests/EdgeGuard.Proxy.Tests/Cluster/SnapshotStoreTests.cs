using EdgeGuard.Filter;
using EdgeGuard.Proxy.Cluster;
using StackExchange.Redis;

namespace EdgeGuard.Proxy.Tests.Cluster;

/// <summary>
/// The cluster's snapshots in a real Redis: written from the chunks they were serialised into, read back chunk by chunk
/// (never more than the chunk being read and the next one asked of Redis), and refused whole when a chunk is corrupt,
/// gone, or more or fewer bytes than the manifest says. Small chunks here (16 KB) so a small filter spans many.
/// </summary>
[Integration]
public sealed class SnapshotStoreTests : IAsyncLifetime
{
    private const int ChunkBytes = 16 * 1024;
    private const int Ids = 200_000;
    private static readonly BloomFilterKey Key = BloomFilterKey.NewRandom();

    private RedisServer _redis = null!;
    private ConnectionMultiplexer _connection = null!;
    private SnapshotStore _store = null!;
    private BloomFilter _filter = null!;

    private IDatabase Db => _connection.GetDatabase();

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _connection = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{_redis.Port}");
        _store = new SnapshotStore(_connection, new ClusterKeys("edgeguard"));
        _filter = new BloomFilter(Ids, 0.01, Key);
        _filter.AddAllParallel(Enumerable.Range(0, Ids).Select(i => $"SKU-{i}"));
    }

    public async Task DisposeAsync()
    {
        await _connection.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task A_snapshot_reads_back_as_the_filter_it_was_written_from()
    {
        var written = await WriteAsync();

        var loaded = await _store.ReadAsync(Key);

        Assert.NotNull(loaded);
        Assert.Equal(Serialized(_filter), Serialized(loaded.Filter));
        Assert.Equal(written.Version, loaded.Manifest.Version);
        Assert.Equal((int)((written.Bytes + ChunkBytes - 1) / ChunkBytes), loaded.Manifest.Chunks);
        Assert.True(loaded.Manifest.Chunks > 10);
    }

    [Fact]
    public async Task Chunks_are_asked_of_Redis_one_ahead_of_the_one_being_read()
    {
        var manifest = await WriteAsync();
        using var chunks = _store.OpenChunks(manifest);

        var buffer = new byte[ChunkBytes];
        for (var chunk = 0; chunk < manifest.Chunks; chunk++)
        {
            chunks.ReadExactly(buffer.AsSpan(0, (int)Math.Min(ChunkBytes, manifest.Bytes - chunks.BytesRead)));
            Assert.Equal(Math.Min(manifest.Chunks, chunk + 2), chunks.Requested);
        }

        chunks.ReadToEnd();
        Assert.Equal(manifest.Bytes, chunks.BytesRead);
    }

    [Fact]
    public async Task A_corrupted_chunk_is_refused()
    {
        var manifest = await WriteAsync();
        var chunk = ChunkKey(manifest, manifest.Chunks / 2);
        var bytes = (byte[])(await Db.StringGetAsync(chunk))!;
        bytes[100] ^= 0x01;
        await Db.StringSetAsync(chunk, bytes);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => _store.ReadAsync(Key));

        Assert.Contains("checksum", error.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_missing_chunk_means_no_snapshot_for_now(bool last)
    {
        var manifest = await WriteAsync();
        await Db.KeyDeleteAsync(ChunkKey(manifest, last ? manifest.Chunks - 1 : 3));

        Assert.Null(await _store.ReadAsync(Key));
    }

    [Fact]
    public async Task Bytes_after_the_filter_are_refused()
    {
        var manifest = await WriteAsync();
        await Db.StringSetAsync(ChunkKey(manifest, manifest.Chunks), new byte[10]);
        await Db.HashSetAsync("{edgeguard}:snapshot", [new("chunks", manifest.Chunks + 1), new("bytes", manifest.Bytes + 10)]);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => _store.ReadAsync(Key));

        Assert.Contains("10 bytes after the filter", error.Message);
    }

    [Fact]
    public async Task A_manifest_that_miscounts_the_bytes_is_refused()
    {
        var manifest = await WriteAsync();
        await Db.HashSetAsync("{edgeguard}:snapshot", "bytes", manifest.Bytes + 1);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => _store.ReadAsync(Key));

        Assert.Contains("its manifest says", error.Message);
    }

    [Fact]
    public async Task Too_few_chunks_are_a_truncated_snapshot()
    {
        var manifest = await WriteAsync();
        await Db.HashSetAsync("{edgeguard}:snapshot", "chunks", manifest.Chunks - 1);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => _store.ReadAsync(Key));

        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public async Task A_snapshot_of_another_key_is_refused()
    {
        await WriteAsync();

        await Assert.ThrowsAsync<InvalidDataException>(() => _store.ReadAsync(BloomFilterKey.NewRandom()));
    }

    [Fact]
    public void The_buffer_holds_the_serial_form_in_chunks_of_the_chunk_size()
    {
        using var buffer = new SnapshotBuffer(ChunkBytes);
        _filter.WriteTo(buffer);

        var whole = Serialized(_filter);
        Assert.Equal(whole.Length, buffer.Length);
        Assert.All(buffer.Chunks.SkipLast(1), chunk => Assert.Equal(ChunkBytes, chunk.Length));
        Assert.Equal(whole, buffer.Chunks.SelectMany(chunk => chunk.ToArray()).ToArray());
    }

    [Fact]
    public void A_small_serial_form_takes_one_chunk_of_its_own_size()
    {
        var small = new BloomFilter(1_000, 0.01);
        using var buffer = new SnapshotBuffer();
        small.WriteTo(buffer);

        var chunk = Assert.Single(buffer.Chunks);
        Assert.Equal(Serialized(small), chunk.ToArray());
    }

    private async Task<SnapshotManifest> WriteAsync()
    {
        using var buffer = new SnapshotBuffer(ChunkBytes);
        _filter.WriteTo(buffer);
        return await _store.WriteAsync(buffer, LogPosition.Parse("1-0"), "generation", Ids, [], "test", provenance: null);
    }

    private static RedisKey ChunkKey(SnapshotManifest manifest, int index) => new ClusterKeys("edgeguard").SnapshotChunk(manifest.Version, index);

    private static byte[] Serialized(BloomFilter filter)
    {
        using var bytes = new MemoryStream();
        filter.WriteTo(bytes);
        return bytes.ToArray();
    }
}
