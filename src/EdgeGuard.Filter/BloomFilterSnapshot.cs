using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace EdgeGuard.Filter;

/// <summary>
/// The on-disk form of a filter. All integers little-endian:
/// <code>
/// offset size  field
///      0    4  magic "EGBF"
///      4    2  format version (1)
///      6    2  hash algorithm id (1 = XxHash128 of UTF-16LE, double hashing; see ItemHash)
///      8    8  m, bits
///     16    4  k, hashes per item
///     20    8  n, expected items
///     28    8  p, target false-positive rate (IEEE 754 double)
///     36    8  count, items added
///     44    8  XxHash64 of bytes 0..43
///     52  m/8  the bit array, as m/64 64-bit words
///  52+m/8   8  XxHash64 of the bit array
/// </code>
/// </summary>
/// <remarks>
/// The header has its own checksum so that a corrupted m or n is caught before allocating for it.
/// Reading validates everything (magic, version, algorithm, both checksums, and that m and k are what
/// this build's sizing gives for n and p) before a filter object exists, so a bad snapshot is rejected
/// whole and never half-loaded. Bytes after the trailer are left unread.
/// </remarks>
internal static class BloomFilterSnapshot
{
    public const ushort FormatVersion = 1;
    public const int HeaderSize = 52;
    private const int ChecksummedHeaderSize = 44;
    private const int ChecksumSize = 8;
    private static ReadOnlySpan<byte> Magic => "EGBF"u8;

    public readonly record struct Header(long ExpectedItems, double FalsePositiveRate, long BitCount, int HashCount, long Count);

    public static void Write(Stream stream, Header header, long[] words)
    {
        Span<byte> head = stackalloc byte[HeaderSize];
        Magic.CopyTo(head);
        BinaryPrimitives.WriteUInt16LittleEndian(head[4..], FormatVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(head[6..], ItemHash.UnkeyedAlgorithmId);
        BinaryPrimitives.WriteInt64LittleEndian(head[8..], header.BitCount);
        BinaryPrimitives.WriteInt32LittleEndian(head[16..], header.HashCount);
        BinaryPrimitives.WriteInt64LittleEndian(head[20..], header.ExpectedItems);
        BinaryPrimitives.WriteDoubleLittleEndian(head[28..], header.FalsePositiveRate);
        BinaryPrimitives.WriteInt64LittleEndian(head[36..], header.Count);
        BinaryPrimitives.WriteUInt64LittleEndian(head[ChecksummedHeaderSize..], XxHash64.HashToUInt64(head[..ChecksummedHeaderSize]));
        stream.Write(head);

        if (!BitConverter.IsLittleEndian)
        {
            BinaryPrimitives.ReverseEndianness(words, words); // our own copy
        }

        var payload = MemoryMarshal.AsBytes(words.AsSpan());
        stream.Write(payload);
        Span<byte> trailer = stackalloc byte[ChecksumSize];
        BinaryPrimitives.WriteUInt64LittleEndian(trailer, XxHash64.HashToUInt64(payload));
        stream.Write(trailer);
    }

    public static (Header Header, long[] Words) Read(Stream stream, (long ExpectedItems, double FalsePositiveRate)? expected)
    {
        Span<byte> head = stackalloc byte[HeaderSize];
        ReadExactly(stream, head, "header");
        if (!head[..Magic.Length].SequenceEqual(Magic))
        {
            throw new InvalidDataException("Not an EdgeGuard Bloom filter snapshot: the magic bytes \"EGBF\" are missing.");
        }

        var storedHeaderChecksum = BinaryPrimitives.ReadUInt64LittleEndian(head[ChecksummedHeaderSize..]);
        if (storedHeaderChecksum != XxHash64.HashToUInt64(head[..ChecksummedHeaderSize]))
        {
            throw new InvalidDataException("Bloom filter snapshot header is corrupted: its checksum does not match.");
        }

        var version = BinaryPrimitives.ReadUInt16LittleEndian(head[4..]);
        if (version != FormatVersion)
        {
            throw new InvalidDataException($"Unsupported Bloom filter snapshot format version {version}; this build reads version {FormatVersion}.");
        }

        var algorithm = BinaryPrimitives.ReadUInt16LittleEndian(head[6..]);
        if (algorithm != ItemHash.UnkeyedAlgorithmId)
        {
            throw new InvalidDataException($"Bloom filter snapshot uses hash algorithm {algorithm}; this build hashes with algorithm {ItemHash.UnkeyedAlgorithmId}, so its bits would mean nothing here.");
        }

        var header = new Header(
            ExpectedItems: BinaryPrimitives.ReadInt64LittleEndian(head[20..]),
            FalsePositiveRate: BinaryPrimitives.ReadDoubleLittleEndian(head[28..]),
            BitCount: BinaryPrimitives.ReadInt64LittleEndian(head[8..]),
            HashCount: BinaryPrimitives.ReadInt32LittleEndian(head[16..]),
            Count: BinaryPrimitives.ReadInt64LittleEndian(head[36..]));
        Validate(header, expected);

        var words = new long[header.BitCount / BloomFilterMath.BitsPerWord];
        var payload = MemoryMarshal.AsBytes(words.AsSpan());
        ReadExactly(stream, payload, "bit array");
        Span<byte> trailer = stackalloc byte[ChecksumSize];
        ReadExactly(stream, trailer, "checksum");
        if (BinaryPrimitives.ReadUInt64LittleEndian(trailer) != XxHash64.HashToUInt64(payload))
        {
            throw new InvalidDataException("Bloom filter snapshot bit array is corrupted: its checksum does not match.");
        }

        if (!BitConverter.IsLittleEndian)
        {
            BinaryPrimitives.ReverseEndianness(words, words);
        }

        return (header, words);
    }

    private static void Validate(Header header, (long ExpectedItems, double FalsePositiveRate)? expected)
    {
        BloomFilterSize size;
        try
        {
            size = BloomFilterMath.Size(header.ExpectedItems, header.FalsePositiveRate);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new InvalidDataException($"Bloom filter snapshot has invalid parameters: {e.Message}", e);
        }

        if (size.BitCount != header.BitCount || size.HashCount != header.HashCount)
        {
            throw new InvalidDataException(
                $"Bloom filter snapshot is inconsistent: n = {header.ExpectedItems}, p = {header.FalsePositiveRate} size to m = {size.BitCount}, k = {size.HashCount}, but it holds m = {header.BitCount}, k = {header.HashCount}.");
        }

        if (header.Count < 0)
        {
            throw new InvalidDataException($"Bloom filter snapshot has a negative item count ({header.Count}).");
        }

        if (expected is var (n, p) && (header.ExpectedItems != n || header.FalsePositiveRate != p))
        {
            throw new InvalidDataException(
                $"Bloom filter snapshot was built for n = {header.ExpectedItems}, p = {header.FalsePositiveRate}; expected n = {n}, p = {p}.");
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
