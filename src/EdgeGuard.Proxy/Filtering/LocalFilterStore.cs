using System.Buffers.Binary;
using EdgeGuard.Filter;
using EdgeGuard.Proxy.Configuration;
using EdgeGuard.Proxy.Observability;
using Microsoft.Extensions.Options;

namespace EdgeGuard.Proxy.Filtering;

/// <summary>
/// Standalone, the filter survives a restart on disk: a snapshot written after each rebuild (the filter
/// library's checksummed serial form, its key in the header, behind a small header with the exact item
/// count), and a journal of every id added since, each appended and flushed before the write that added it
/// is answered. At start the snapshot and the journal give back the filter at once, so the gateway rejects
/// missing ids from its first ready moment even while the catalog is down, and a products file alone no
/// longer forgets products created through the gateway. Written aside and renamed: never half-written.
/// </summary>
public sealed class LocalFilterStore(IOptions<EdgeGuardOptions> options, ILogger<LocalFilterStore> logger)
{
    private static ReadOnlySpan<byte> Magic => "EGLS"u8;
    private const int HeaderSize = 16; // magic, version (4), items (8)
    private readonly Lock _journalLock = new();

    private string? SnapshotPath => options.Value.Bloom.SnapshotPath is { Length: > 0 } path ? path : null;

    private string? JournalPath => SnapshotPath is { } path ? path + ".journal" : null;

    public bool IsEnabled => SnapshotPath is not null;

    /// <summary>The snapshot and the ids journalled since, or null when there is none that can be used.</summary>
    public (BuiltFilter Filter, IReadOnlyList<string> Journal)? Load(BloomFilterKey? requiredKey)
    {
        if (SnapshotPath is not { } path || !File.Exists(path))
        {
            return null;
        }

        try
        {
            using var file = File.OpenRead(path);
            Span<byte> header = stackalloc byte[HeaderSize];
            file.ReadExactly(header);
            if (!header[..4].SequenceEqual(Magic) || BinaryPrimitives.ReadInt32LittleEndian(header[4..]) != 1)
            {
                throw new InvalidDataException("not an EdgeGuard local snapshot");
            }

            var items = BinaryPrimitives.ReadInt64LittleEndian(header[8..]);
            var filter = requiredKey is { } key ? BloomFilter.ReadFrom(file, key) : BloomFilter.ReadFrom(file);
            var journal = JournalPath is { } journalPath && File.Exists(journalPath)
                ? File.ReadAllLines(journalPath).Where(line => line.Length > 0).ToList()
                : [];
            return (new BuiltFilter(filter, items, TimeSpan.Zero, OutgrewConfiguredSize: false), journal);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            Log.LocalSnapshotUnusable(logger, path, e.Message);
            return null;
        }
    }

    /// <summary>Writes the filter now in use (after a rebuild) and starts an empty journal.</summary>
    public void Save(BloomFilter filter, long items)
    {
        if (SnapshotPath is not { } path)
        {
            return;
        }

        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            var temporary = path + ".tmp";
            using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.WriteThrough))
            {
                Span<byte> header = stackalloc byte[HeaderSize];
                Magic.CopyTo(header);
                BinaryPrimitives.WriteInt32LittleEndian(header[4..], 1);
                BinaryPrimitives.WriteInt64LittleEndian(header[8..], items);
                file.Write(header);
                filter.WriteTo(file);
                file.Flush(flushToDisk: true);
            }

            lock (_journalLock)
            {
                File.Move(temporary, path, overwrite: true);
                File.WriteAllText(JournalPath!, "");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.LocalSnapshotNotSaved(logger, path, e.Message);
        }
    }

    /// <summary>Records ids added since the snapshot, flushed to disk before the caller goes on.</summary>
    public void Journal(IReadOnlyCollection<string> ids)
    {
        if (JournalPath is not { } path || ids.Count == 0)
        {
            return;
        }

        try
        {
            lock (_journalLock)
            {
                using var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, 4096, FileOptions.WriteThrough);
                using var writer = new StreamWriter(file);
                foreach (var id in ids)
                {
                    writer.Write(id);
                    writer.Write('\n');
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The id is in the filter in memory; a rebuild from a source that lists it keeps it after a restart.
            Log.LocalJournalFailed(logger, path, e.Message);
        }
    }
}
