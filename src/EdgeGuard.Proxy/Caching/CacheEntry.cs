using System.Buffers.Binary;
using System.Text;

namespace EdgeGuard.Proxy.Caching;

/// <summary>
/// What the cache holds for one product id: the upstream's answer to replay (status, content type, body),
/// or a negative entry saying the catalog answered 404.
/// </summary>
public sealed class CacheEntry
{
    private const byte FormatVersion = 1;

    private CacheEntry(bool isNegative, int statusCode, string? contentType, ReadOnlyMemory<byte> body)
    {
        IsNegative = isNegative;
        StatusCode = statusCode;
        ContentType = contentType;
        Body = body;
    }

    public static CacheEntry Negative { get; } = new(true, StatusCodes.Status404NotFound, null, ReadOnlyMemory<byte>.Empty);

    public bool IsNegative { get; }

    public int StatusCode { get; }

    public string? ContentType { get; }

    public ReadOnlyMemory<byte> Body { get; }

    public static CacheEntry Positive(int statusCode, string? contentType, ReadOnlyMemory<byte> body) =>
        new(false, statusCode, contentType, body);

    /// <summary>
    /// Layout: version (1 byte), kind (1: positive, 2: negative), status (2 bytes, big-endian), content-type
    /// length (2 bytes) and UTF-8 bytes, then the body. One Redis string, so value and TTL are set together.
    /// </summary>
    public byte[] Serialize()
    {
        var contentType = ContentType is null ? [] : Encoding.UTF8.GetBytes(ContentType);
        var bytes = new byte[6 + contentType.Length + Body.Length];
        bytes[0] = FormatVersion;
        bytes[1] = IsNegative ? (byte)2 : (byte)1;
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2), (ushort)StatusCode);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(4), (ushort)contentType.Length);
        contentType.CopyTo(bytes.AsSpan(6));
        Body.Span.CopyTo(bytes.AsSpan(6 + contentType.Length));
        return bytes;
    }

    /// <summary>Null for anything this version did not write: such an entry is a miss, never an error.</summary>
    public static CacheEntry? Deserialize(ReadOnlyMemory<byte> bytes)
    {
        var span = bytes.Span;
        if (span.Length < 6 || span[0] != FormatVersion || span[1] is not (1 or 2))
        {
            return null;
        }

        if (span[1] == 2)
        {
            return Negative;
        }

        var status = BinaryPrimitives.ReadUInt16BigEndian(span[2..]);
        var contentTypeLength = BinaryPrimitives.ReadUInt16BigEndian(span[4..]);
        if (span.Length < 6 + contentTypeLength)
        {
            return null;
        }

        var contentType = contentTypeLength == 0 ? null : Encoding.UTF8.GetString(span.Slice(6, contentTypeLength));
        return Positive(status, contentType, bytes[(6 + contentTypeLength)..]);
    }
}
