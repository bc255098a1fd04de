using System.Buffers.Binary;
using System.Text;
using EdgeGuard.Filter;
using EdgeGuard.Proxy.Configuration;
using EdgeGuard.Proxy.Filtering.Snapshots;
using EdgeGuard.Proxy.Observability;

namespace EdgeGuard.Proxy.Filtering;

/// <summary>
/// Standalone, the filter survives a restart on disk: a snapshot written after each rebuild (the filter library's
/// checksummed serial form, its key in the header, behind a small header with the exact item count and the filter's
/// <see cref="FilterProvenance"/>), and a journal of every id added since, each appended and flushed before the write
/// that added it is answered. Whether a restart may reject with it is <see cref="SnapshotRestorer"/>'s decision.
/// <para>
/// An id is journalled and added to the filter under one lock (<see cref="Record"/>), and a save moves the journal
/// aside under that lock before it reads the filter's bits: every id in the moved journal is then in the bits, and
/// every id added after is in the new journal. The moved journal is deleted once the snapshot is in place, and read
/// at start if a crash left it. Files are written aside and renamed: never half-written.
/// </para>
/// <para>
/// One gateway owns a snapshot path at a time (<see cref="Claim"/>, an exclusive lock on a file beside it, which the
/// operating system releases when the process ends): two gateways started from one directory with the default path
/// would otherwise take each other's snapshots and journals.
/// </para>
/// </summary>
public sealed class LocalFilterStore(IOptions<EdgeGuardOptions> options, ILogger<LocalFilterStore> logger) : IDisposable
{
    private static ReadOnlySpan<byte> Magic => "EGLS"u8;
    private const int FirstVersion = 1;
    private const int Version = 2;
    private const int HeaderSize = 16; // magic, version (4), items (8); version 2: provenance length (4) and UTF-8 JSON follow
    private const int MaxProvenanceBytes = 1 << 20;
    private readonly Lock _journalLock = new();

    private string? SnapshotPath => options.Value.Bloom.SnapshotPath is { Length: > 0 } path ? path : null;

    private string? JournalPath => SnapshotPath is { } path ? path + ".journal" : null;

    private string? SavingJournalPath => SnapshotPath is { } path ? path + ".journal.saving" : null;

    public bool IsEnabled => SnapshotPath is not null;

    private FileStream? _claim;

    /// <summary>Takes the snapshot path for this process.</summary>
    /// <exception cref="ConfigurationErrorException">Another running gateway holds it.</exception>
    public void Claim()
    {
        if (SnapshotPath is not { } path || _claim is not null)
        {
            return;
        }

        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            _claim = new FileStream(path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (File.Exists(path + ".lock"))
        {
            throw new ConfigurationErrorException(
                $"EdgeGuard:Bloom:SnapshotPath '{path}' is in use by another gateway ({e.Message.TrimEnd('.')}): give each gateway started from one directory its own, " +
                "e.g. EdgeGuard__Bloom__SnapshotPath=data/gateway-2.snapshot, or empty for none.");
        }
    }

    public void Dispose() => _claim?.Dispose();

    /// <summary>The snapshot and the ids journalled since, or null when there is none that can be read.</summary>
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
            var version = BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
            if (!header[..4].SequenceEqual(Magic) || version is not (FirstVersion or Version))
            {
                throw new InvalidDataException("not an EdgeGuard local snapshot");
            }

            var items = BinaryPrimitives.ReadInt64LittleEndian(header[8..]);
            var provenance = version == Version ? FilterProvenance.FromJson(ReadProvenance(file)) : null;
            var filter = requiredKey is { } key ? BloomFilter.ReadFrom(file, key) : BloomFilter.ReadFrom(file);
            var journal = ReadJournal(SavingJournalPath).Concat(ReadJournal(JournalPath)).ToList();
            return (new BuiltFilter(filter, items, TimeSpan.Zero, OutgrewConfiguredSize: false, provenance), journal);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            LogMessages.LocalSnapshotUnusable(logger, path, e.Message);
            return null;
        }
    }

    /// <summary>Writes <paramref name="filter"/> (in use, after a rebuild) and starts an empty journal.</summary>
    /// <param name="provenance">Taken before this call: the bits read here hold every id up to its positions.</param>
    public void Save(BloomFilter filter, long items, FilterProvenance? provenance)
    {
        if (SnapshotPath is not { } path)
        {
            return;
        }

        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            lock (_journalLock)
            {
                // Everything journalled so far is in the bits read below (Record adds under this lock).
                if (File.Exists(JournalPath!) && !File.Exists(SavingJournalPath!))
                {
                    File.Move(JournalPath!, SavingJournalPath!);
                }
            }

            var temporary = path + ".tmp";
            using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.WriteThrough))
            {
                var json = Encoding.UTF8.GetBytes(provenance?.ToJson() ?? "");
                Span<byte> header = stackalloc byte[HeaderSize + sizeof(int)];
                Magic.CopyTo(header);
                BinaryPrimitives.WriteInt32LittleEndian(header[4..], Version);
                BinaryPrimitives.WriteInt64LittleEndian(header[8..], items);
                BinaryPrimitives.WriteInt32LittleEndian(header[HeaderSize..], json.Length);
                file.Write(header);
                file.Write(json);
                filter.WriteTo(file);
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
            File.Delete(SavingJournalPath!);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogMessages.LocalSnapshotNotSaved(logger, path, e.Message);
        }
    }

    /// <summary>
    /// Journals <paramref name="ids"/> (flushed to disk) and adds each with <paramref name="add"/>, as one step for a
    /// concurrent <see cref="Save"/>: a restart cannot forget them, whichever side of a save they fall on.
    /// </summary>
    public void Record(IReadOnlyCollection<string> ids, Action<string> add)
    {
        lock (_journalLock)
        {
            Append(ids);
            foreach (var id in ids)
            {
                add(id);
            }
        }
    }

    private void Append(IReadOnlyCollection<string> ids)
    {
        if (JournalPath is not { } path || ids.Count == 0)
        {
            return;
        }

        try
        {
            using var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, 4096, FileOptions.WriteThrough);
            using var writer = new StreamWriter(file);
            foreach (var id in ids)
            {
                writer.Write(id);
                writer.Write('\n');
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The id is in the filter in memory; a rebuild from a source that lists it keeps it after a restart.
            LogMessages.LocalJournalFailed(logger, path, e.Message);
        }
    }

    private static string ReadProvenance(Stream file)
    {
        Span<byte> length = stackalloc byte[sizeof(int)];
        file.ReadExactly(length);
        var size = BinaryPrimitives.ReadInt32LittleEndian(length);
        if (size is < 0 or > MaxProvenanceBytes)
        {
            throw new InvalidDataException($"its provenance length ({size}) is out of range");
        }

        var json = new byte[size];
        file.ReadExactly(json);
        return Encoding.UTF8.GetString(json);
    }

    private static IEnumerable<string> ReadJournal(string? path) =>
        path is not null && File.Exists(path) ? File.ReadAllLines(path).Where(line => line.Length > 0) : [];
}
