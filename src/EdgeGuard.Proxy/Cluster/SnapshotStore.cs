using System.Globalization;
using System.Text.Json;
using EdgeGuard.Filter;
using EdgeGuard.Proxy.Filtering.Snapshots;
using StackExchange.Redis;

namespace EdgeGuard.Proxy.Cluster;

/// <summary>What a snapshot's manifest says about it.</summary>
/// <param name="Version">Numbered by the cluster (INCR): newer is higher.</param>
/// <param name="Position">The log position the filter includes: every entry up to it was applied.</param>
/// <param name="Generation">The Redis dataset it belongs to.</param>
/// <param name="Items">Distinct ids the filter holds by construction.</param>
/// <param name="OpenWrites">Writes in flight at <paramref name="Position"/> (pending for the loader).</param>
/// <param name="Provenance">Which sources the filter was built from, when, and up to where; null in a manifest that has none.</param>
public sealed record SnapshotManifest(long Version, LogPosition Position, string Generation, long Items, int Chunks, long Bytes, IReadOnlyList<OpenWrite> OpenWrites, string By,
    FilterProvenance? Provenance);

/// <summary>A snapshot read back: the filter, and what its manifest says.</summary>
public sealed record LoadedSnapshot(BloomFilter Filter, SnapshotManifest Manifest);

/// <summary>
/// The cluster's filter snapshots in Redis: the filter's own versioned, checksummed serial form (its key in the
/// header) cut into chunks (a 50M-id filter is 62 MB: 60 chunks of 1 MB),
/// and a manifest hash written last, so a reader never sees a version whose chunks are not all there. The
/// previous version's chunks expire a minute later, for readers still reading them.
/// </summary>
/// <remarks>
/// Neither direction holds the serial form twice. A filter is serialised into a <see cref="SnapshotBuffer"/>, whose
/// arrays are the chunks themselves, sent as they are. A snapshot is read through a <see cref="SnapshotChunkStream"/>:
/// chunks fetched one at a time (the next one while the current one is parsed), each parsed straight into the new
/// filter's bit array and then given back: besides the filter, at most two chunks are held.
/// </remarks>
public sealed class SnapshotStore(IConnectionMultiplexer redis, ClusterKeys keys)
{
    /// <summary>
    /// 1 MB per chunk. A chunk is one command on the connection the cache's commands share, whose timeout is
    /// <c>EdgeGuard:Cache:RedisTimeout</c> (100 ms by default): small enough to pass well within it on a loaded host and
    /// to hold the other commands up only briefly (4 MB chunks timed out while a 10M-id snapshot was written at a load
    /// average of 28).
    /// </summary>
    public const int ChunkBytes = 1024 * 1024;

    /// <summary>Tries per chunk: one that timed out is sent or asked again (SET and GET of a chunk are idempotent).</summary>
    private const int ChunkAttempts = 3;
    private static readonly TimeSpan OldChunksGrace = TimeSpan.FromMinutes(1);

    private IDatabase Db => redis.GetDatabase();

    /// <param name="serialized">The filter's serial form (<see cref="BloomFilter.WriteTo"/>), taken at <paramref name="position"/>.</param>
    /// <param name="provenance">The filter's provenance, taken before its bits were.</param>
    public async Task<SnapshotManifest> WriteAsync(SnapshotBuffer serialized, LogPosition position, string generation, long items, IReadOnlyList<OpenWrite> openWrites, string by,
        FilterProvenance? provenance)
    {
        ArgumentNullException.ThrowIfNull(serialized);
        var version = await Db.StringIncrementAsync(keys.SnapshotVersion).ConfigureAwait(false);
        var chunks = serialized.Chunks;
        for (var i = 0; i < chunks.Count; i++)
        {
            var (key, chunk) = (keys.SnapshotChunk(version, i), chunks[i]);
            await WithRetriesAsync(() => Db.StringSetAsync(key, chunk)).ConfigureAwait(false);
        }

        var previous = await ReadManifestAsync().ConfigureAwait(false);
        var manifest = new SnapshotManifest(version, position, generation, items, chunks.Count, serialized.Length, openWrites, by, provenance);
        await Db.HashSetAsync(keys.Snapshot,
        [
            new("version", version),
            new("position", position.StreamId),
            new("generation", generation),
            new("items", items),
            new("chunks", chunks.Count),
            new("bytes", serialized.Length),
            new("open", JsonSerializer.Serialize(openWrites, ClusterJsonContext.Default.IReadOnlyListOpenWrite)),
            new("by", by),
            new("provenance", provenance?.ToJson() ?? ""),
        ]).ConfigureAwait(false);
        if (previous is not null && previous.Version != version)
        {
            for (var i = 0; i < previous.Chunks; i++)
            {
                await Db.KeyExpireAsync(keys.SnapshotChunk(previous.Version, i), OldChunksGrace).ConfigureAwait(false);
            }
        }

        return manifest;
    }

    /// <summary>Removes the current snapshot's manifest: no instance joins from it any more (its chunks expire unread).</summary>
    public Task ForgetAsync() => Db.KeyDeleteAsync(keys.Snapshot);

    public async Task<SnapshotManifest?> ReadManifestAsync()
    {
        var fields = (await Db.HashGetAllAsync(keys.Snapshot).ConfigureAwait(false)).ToDictionary(f => (string)f.Name!, f => (string?)f.Value);
        if (fields.Count == 0 || !fields.TryGetValue("version", out var version) || version is null)
        {
            return null;
        }

        return new SnapshotManifest(
            long.Parse(version, CultureInfo.InvariantCulture),
            LogPosition.Parse(fields.GetValueOrDefault("position")),
            fields.GetValueOrDefault("generation") ?? "",
            long.Parse(fields.GetValueOrDefault("items") ?? "0", CultureInfo.InvariantCulture),
            int.Parse(fields.GetValueOrDefault("chunks") ?? "0", CultureInfo.InvariantCulture),
            long.Parse(fields.GetValueOrDefault("bytes") ?? "0", CultureInfo.InvariantCulture),
            JsonSerializer.Deserialize(fields.GetValueOrDefault("open") ?? "[]", ClusterJsonContext.Default.IReadOnlyListOpenWrite) ?? [],
            fields.GetValueOrDefault("by") ?? "",
            FilterProvenance.FromJson(fields.GetValueOrDefault("provenance")));
    }

    /// <summary>The current snapshot, validated whole; null when there is none (or it vanished mid-read).</summary>
    /// <exception cref="InvalidDataException">It is corrupt, or was built with another key than <paramref name="key"/>.</exception>
    public async Task<LoadedSnapshot?> ReadAsync(BloomFilterKey key)
    {
        if (await ReadManifestAsync().ConfigureAwait(false) is not { } manifest)
        {
            return null;
        }

        // The filter's reader pulls bytes synchronously: it runs on a thread of its own, which waits while a chunk is
        // fetched, rather than on one of the thread pool's few.
        return await Task.Factory.StartNew(() => Read(manifest, key), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)
            .ConfigureAwait(false);
    }

    private LoadedSnapshot? Read(SnapshotManifest manifest, BloomFilterKey key)
    {
        using var chunks = OpenChunks(manifest);
        try
        {
            var filter = BloomFilter.ReadFrom(chunks, key);
            chunks.ReadToEnd(); // every chunk the manifest names, and nothing after the filter
            return new LoadedSnapshot(filter, manifest);
        }
        catch (SnapshotChunkStream.ChunkMissingException)
        {
            return null; // replaced by a newer version while reading: the caller takes that one next time
        }
    }

    /// <summary>The bytes of the snapshot <paramref name="manifest"/> names, fetched chunk by chunk as they are read.</summary>
    internal SnapshotChunkStream OpenChunks(SnapshotManifest manifest) =>
        new(async index => (byte[]?)await WithRetriesAsync(() => Db.StringGetAsync(keys.SnapshotChunk(manifest.Version, index))).ConfigureAwait(false),
            manifest.Chunks, manifest.Bytes);

    private static async Task<T> WithRetriesAsync<T>(Func<Task<T>> command)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await command().ConfigureAwait(false);
            }
            catch (RedisTimeoutException) when (attempt < ChunkAttempts)
            {
            }
        }
    }
}
