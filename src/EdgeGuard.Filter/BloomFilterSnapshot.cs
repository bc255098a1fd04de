using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace EdgeGuard.Filter;

/// <summary>
/// The on-disk form of a filter, format version 3. All integers little-endian:
/// <code>
/// offset    size  field
///      0       4  magic "EGBF"
///      4       2  format version (3)
///      6       2  hash algorithm id, the strategy the bits were set with (see ItemHash):
///                   1 = unkeyed: XxHash128 (seed 0) of UTF-16LE
///                   2 = keyed:   the same, keyed with the 128-bit key below
///      8       8  m, bits
///     16       4  k, hashes per item
///     20       8  n, expected items
///     28       8  p, target false-positive rate (IEEE 754 double)
///     36       8  count, items added
///     44       2  layout (BloomFilterLayout): 1 = standard (double hashing over all m bits),
///                   2 = blocked (one 512-bit block per item, see BlockedBits)
///     46       K  the key: K = 16 for algorithm 2 (its bytes in the order BloomFilterKey.ToHex spells
///                 them), K = 0 for algorithm 1
///   46+K       8  XxHash64 of bytes 0..45+K
///   54+K     m/8  the bit array, as m/64 64-bit words
/// 54+K+m/8     8  XxHash64 of the bit array
/// </code>
/// Older versions are still read, as the standard layout (the only one they had):
/// <list type="bullet">
/// <item>version 2 is version 3 without the layout field: the key at 44, its checksum at 44+K, the bits at 52+K;</item>
/// <item>version 1, written before keyed hashing, is version 2 with K = 0 and algorithm 1 only.</item>
/// </list>
/// </summary>
/// <remarks>
/// <para>The header has its own checksum so that a corrupted m, n, layout or key is caught before allocating
/// for it. The version and the algorithm are read before that checksum only to know where it lies;
/// a corrupted one moves it, and the checksum then fails (or, on a tiny snapshot, the stream ends
/// early). Reading validates everything (magic, version, algorithm, layout, key, both checksums, that m and
/// k are what this build's sizing gives for n, p and the layout, and what the caller expects) before a filter object
/// exists, so a bad snapshot is rejected whole and never half-loaded. Bytes after the trailer are left
/// unread.</para>
/// <para>A keyed snapshot carries its key, because a filter's bits mean nothing without it: whoever can
/// read the snapshot can compute which absent ids it lets through, so it must be stored as carefully
/// as the key. Error messages never contain a key.</para>
/// <para>The bit array is written and read in chunks of <see cref="ChunkWords"/> words, each read from
/// the live array with volatile loads, so writing needs no second copy of the bits (a snapshot taken
/// while adds run holds every item added before it began, and maybe some added during it, as with a
/// full copy), and neither direction is limited to 2 GB of bits in one span. Reading fills the new
/// filter's own array (cache-line aligned for the blocked layout) chunk by chunk, again without a copy.</para>
/// </remarks>
internal static class BloomFilterSnapshot
{
    public const ushort FormatVersion = 3;
    public const ushort KeyedFormatVersion = 2;
    public const ushort FirstFormatVersion = 1;
    private const int VersionTwoCommonHeaderSize = 44;
    private const int CommonHeaderSize = 46;
    private const int ChecksumSize = 8;
    private const int MaxHeaderSize = CommonHeaderSize + BloomFilterKey.SizeInBytes + ChecksumSize;

    /// <summary>64 KB per chunk: large enough that per-chunk costs vanish, small enough to stay off the large object heap.</summary>
    private const int ChunkWords = 8 * 1024;

    private static ReadOnlySpan<byte> Magic => "EGBF"u8;

    /// <summary>Everything a snapshot says about its filter but the bits. <see cref="Key"/> is null for unkeyed filters.</summary>
    public readonly record struct Header(long ExpectedItems, double FalsePositiveRate, BloomFilterLayout Layout, long BitCount, int HashCount, long Count, BloomFilterKey? Key)
    {
        public ushort AlgorithmId => Key is null ? ItemHash.UnkeyedAlgorithmId : ItemHash.KeyedAlgorithmId;
    }

    /// <summary>What the caller requires of a snapshot beyond its validity; null parts are not checked.</summary>
    public readonly record struct Expected((long ExpectedItems, double FalsePositiveRate)? Parameters = null, BloomFilterKey? Key = null);

    public static void Write(Stream stream, Header header, LockFreeBitArray bits)
    {
        Span<byte> head = stackalloc byte[MaxHeaderSize];
        Magic.CopyTo(head);
        BinaryPrimitives.WriteUInt16LittleEndian(head[4..], FormatVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(head[6..], header.AlgorithmId);
        BinaryPrimitives.WriteInt64LittleEndian(head[8..], header.BitCount);
        BinaryPrimitives.WriteInt32LittleEndian(head[16..], header.HashCount);
        BinaryPrimitives.WriteInt64LittleEndian(head[20..], header.ExpectedItems);
        BinaryPrimitives.WriteDoubleLittleEndian(head[28..], header.FalsePositiveRate);
        BinaryPrimitives.WriteInt64LittleEndian(head[36..], header.Count);
        BinaryPrimitives.WriteUInt16LittleEndian(head[44..], (ushort)header.Layout);
        var checksummed = CommonHeaderSize;
        if (header.Key is { } key)
        {
            key.WriteBytes(head[checksummed..]);
            checksummed += BloomFilterKey.SizeInBytes;
        }

        BinaryPrimitives.WriteUInt64LittleEndian(head[checksummed..], XxHash64.HashToUInt64(head[..checksummed]));
        stream.Write(head[..(checksummed + ChecksumSize)]);

        var payloadChecksum = new XxHash64();
        var buffer = ArrayPool<long>.Shared.Rent(ChunkWords);
        try
        {
            for (var start = 0; start < bits.WordCount; start += ChunkWords)
            {
                var chunk = buffer.AsSpan(0, Math.Min(ChunkWords, bits.WordCount - start));
                bits.CopyWordsTo(start, chunk);
                if (!BitConverter.IsLittleEndian)
                {
                    BinaryPrimitives.ReverseEndianness(chunk, chunk);
                }

                var bytes = MemoryMarshal.AsBytes(chunk);
                payloadChecksum.Append(bytes);
                stream.Write(bytes);
            }
        }
        finally
        {
            ArrayPool<long>.Shared.Return(buffer);
        }

        Span<byte> trailer = stackalloc byte[ChecksumSize];
        BinaryPrimitives.WriteUInt64LittleEndian(trailer, payloadChecksum.GetCurrentHashAsUInt64());
        stream.Write(trailer);
    }

    /// <summary>Reads and validates a snapshot into a new bit array of its layout.</summary>
    public static (Header Header, LockFreeBitArray Bits) Read(Stream stream, Expected expected)
    {
        Span<byte> head = stackalloc byte[MaxHeaderSize];
        ReadExactly(stream, head[..VersionTwoCommonHeaderSize], "header");
        if (!head[..Magic.Length].SequenceEqual(Magic))
        {
            throw new InvalidDataException("Not an EdgeGuard Bloom filter snapshot: the magic bytes \"EGBF\" are missing.");
        }

        // Unverified until the checksum below: used only to find where the checksum lies.
        var version = BinaryPrimitives.ReadUInt16LittleEndian(head[4..]);
        var algorithm = BinaryPrimitives.ReadUInt16LittleEndian(head[6..]);
        var commonSize = version == FormatVersion ? CommonHeaderSize : VersionTwoCommonHeaderSize;
        var keySize = version switch
        {
            FirstFormatVersion => 0,
            KeyedFormatVersion or FormatVersion => algorithm == ItemHash.KeyedAlgorithmId ? BloomFilterKey.SizeInBytes : 0,
            _ => throw new InvalidDataException(
                $"Unsupported Bloom filter snapshot format version {version} (this build reads versions {FirstFormatVersion} to {FormatVersion}), or its header is corrupted."),
        };
        var checksummed = commonSize + keySize;
        ReadExactly(stream, head[VersionTwoCommonHeaderSize..(checksummed + ChecksumSize)], "header");
        if (BinaryPrimitives.ReadUInt64LittleEndian(head[checksummed..]) != XxHash64.HashToUInt64(head[..checksummed]))
        {
            throw new InvalidDataException("Bloom filter snapshot header is corrupted: its checksum does not match.");
        }

        var header = new Header(
            ExpectedItems: BinaryPrimitives.ReadInt64LittleEndian(head[20..]),
            FalsePositiveRate: BinaryPrimitives.ReadDoubleLittleEndian(head[28..]),
            Layout: ReadLayout(version, head),
            BitCount: BinaryPrimitives.ReadInt64LittleEndian(head[8..]),
            HashCount: BinaryPrimitives.ReadInt32LittleEndian(head[16..]),
            Count: BinaryPrimitives.ReadInt64LittleEndian(head[36..]),
            Key: ReadKey(version, algorithm, head[commonSize..checksummed]));
        Validate(header, expected);
        var bits = BloomFilter.NewBits(header.Layout, header.BitCount);
        ReadWords(stream, bits.Words);
        return (header, bits);
    }

    private static BloomFilterLayout ReadLayout(ushort version, ReadOnlySpan<byte> head)
    {
        if (version != FormatVersion)
        {
            return BloomFilterLayout.Standard;
        }

        var layout = (BloomFilterLayout)BinaryPrimitives.ReadUInt16LittleEndian(head[44..]);
        return BloomFilterSizing.IsDefined(layout)
            ? layout
            : throw new InvalidDataException(
                $"Bloom filter snapshot uses layout {(int)layout}; this build knows layouts {(int)BloomFilterLayout.Standard} (standard) and {(int)BloomFilterLayout.Blocked} (blocked).");
    }

    private static BloomFilterKey? ReadKey(ushort version, ushort algorithm, ReadOnlySpan<byte> keyBytes)
    {
        if (algorithm == ItemHash.UnkeyedAlgorithmId)
        {
            return null;
        }

        if (algorithm != ItemHash.KeyedAlgorithmId || version == FirstFormatVersion)
        {
            throw new InvalidDataException(
                $"Bloom filter snapshot (format version {version}) uses hash algorithm {algorithm}; this build hashes with algorithms {ItemHash.UnkeyedAlgorithmId} and {ItemHash.KeyedAlgorithmId} (the latter from format version {KeyedFormatVersion} on), so its bits would mean nothing here.");
        }

        var key = BloomFilterKey.FromBytes(keyBytes);
        if (key.IsZero)
        {
            throw new InvalidDataException("Bloom filter snapshot is keyed with the all-zero key, which no filter can have.");
        }

        return key;
    }

    /// <summary>Fills <paramref name="words"/> from the stream, chunk by chunk, and checks the payload checksum.</summary>
    private static void ReadWords(Stream stream, Span<long> words)
    {
        var checksum = new XxHash64();
        for (var start = 0; start < words.Length; start += ChunkWords)
        {
            var chunk = MemoryMarshal.AsBytes(words.Slice(start, Math.Min(ChunkWords, words.Length - start)));
            ReadExactly(stream, chunk, "bit array");
            checksum.Append(chunk);
        }

        Span<byte> trailer = stackalloc byte[ChecksumSize];
        ReadExactly(stream, trailer, "checksum");
        if (BinaryPrimitives.ReadUInt64LittleEndian(trailer) != checksum.GetCurrentHashAsUInt64())
        {
            throw new InvalidDataException("Bloom filter snapshot bit array is corrupted: its checksum does not match.");
        }

        if (!BitConverter.IsLittleEndian)
        {
            BinaryPrimitives.ReverseEndianness(words, words);
        }
    }

    private static void Validate(Header header, Expected expected)
    {
        BloomFilterSize size;
        try
        {
            size = BloomFilterSizing.Size(header.Layout, header.ExpectedItems, header.FalsePositiveRate);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new InvalidDataException($"Bloom filter snapshot has invalid parameters: {e.Message}", e);
        }

        if (size.BitCount != header.BitCount || size.HashCount != header.HashCount)
        {
            throw new InvalidDataException(
                $"Bloom filter snapshot is inconsistent: n = {header.ExpectedItems}, p = {header.FalsePositiveRate} size the {BloomFilterSizing.Name(header.Layout)} layout to m = {size.BitCount}, k = {size.HashCount}, but it holds m = {header.BitCount}, k = {header.HashCount}.");
        }

        if (header.Count < 0)
        {
            throw new InvalidDataException($"Bloom filter snapshot has a negative item count ({header.Count}).");
        }

        if (expected.Parameters is var (n, p) && (header.ExpectedItems != n || header.FalsePositiveRate != p))
        {
            throw new InvalidDataException(
                $"Bloom filter snapshot was built for n = {header.ExpectedItems}, p = {header.FalsePositiveRate}; expected n = {n}, p = {p}.");
        }

        if (expected.Key is { } key)
        {
            if (header.Key is null)
            {
                throw new InvalidDataException(
                    "Bloom filter snapshot is unkeyed (hash algorithm 1), but a filter keyed with the configured key was expected; rebuild the filter from its sources.");
            }

            if (header.Key != key)
            {
                throw new InvalidDataException(
                    "Bloom filter snapshot was built with another key than the configured one, so its bits mean nothing with this key; rebuild the filter from its sources.");
            }
        }
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string part)
    {
        try
        {
            stream.ReadExactly(buffer);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"Bloom filter snapshot is truncated: the stream ended inside the {part}.", e);
        }
    }
}
