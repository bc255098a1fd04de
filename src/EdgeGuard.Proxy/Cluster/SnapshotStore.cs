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
/// header) cut into chunks (a 50M-id filter is 60 MB, a Redis string is best kept well below its 512 MB limit),
/// and a manifest hash written last, so a reader never sees a version whose chunks are not all there. The
/// previous version's chunks expire a minute later, for readers still reading them.
/// </summary>
public sealed class SnapshotStore(IConnectionMultiplexer redis, ClusterKeys keys)
{
    public const int ChunkBytes = 4 * 1024 * 1024;
    private static readonly TimeSpan OldChunksGrace = TimeSpan.FromMinutes(1);

    private IDatabase Db => redis.GetDatabase();

    /// <param name="serialized">The filter's serial form (<see cref="BloomFilter.WriteTo"/>), taken at <paramref name="position"/>.</param>
    /// <param name="provenance">The filter's provenance, taken before its bits were.</param>
    public async Task<SnapshotManifest> WriteAsync(ReadOnlyMemory<byte> serialized, LogPosition position, string generation, long items, IReadOnlyList<OpenWrite> openWrites, string by,
        FilterProvenance? provenance)
    {
        var version = await Db.StringIncrementAsync(keys.SnapshotVersion).ConfigureAwait(false);
        var chunks = (serialized.Length + ChunkBytes - 1) / ChunkBytes;
        for (var i = 0; i < chunks; i++)
        {
            var offset = i * ChunkBytes;
            var length = Math.Min(ChunkBytes, serialized.Length - offset);
            await Db.StringSetAsync(keys.SnapshotChunk(version, i), serialized.Slice(offset, length)).ConfigureAwait(false);
        }

        var previous = await ReadManifestAsync().ConfigureAwait(false);
        var manifest = new SnapshotManifest(version, position, generation, items, chunks, serialized.Length, openWrites, by, provenance);
        await Db.HashSetAsync(keys.Snapshot,
        [
            new("version", version),
            new("position", position.StreamId),
            new("generation", generation),
            new("items", items),
            new("chunks", chunks),
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

        using var bytes = new MemoryStream((int)Math.Min(manifest.Bytes, int.MaxValue));
        for (var i = 0; i < manifest.Chunks; i++)
        {
            var chunk = await Db.StringGetAsync(keys.SnapshotChunk(manifest.Version, i)).ConfigureAwait(false);
            if (chunk.IsNull)
            {
                return null; // replaced by a newer version while reading: the caller takes that one next time
            }

            bytes.Write((byte[])chunk!);
        }

        bytes.Position = 0;
        return new LoadedSnapshot(BloomFilter.ReadFrom(bytes, key), manifest);
    }
}
