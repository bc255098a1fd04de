using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace EdgeGuard.Filter;

/// <summary>
/// The secret 128-bit key of a keyed <see cref="BloomFilter"/>. Without it nobody can compute which bits
/// an id maps to, so the filter's false positives cannot be found offline from the public id list.
/// </summary>
/// <remarks>
/// <para>Spelled as 32 hexadecimal digits, byte 0 first (<see cref="ToHex"/>, <see cref="Parse"/>).
/// <see cref="ToString"/> never prints the key, so that logging a filter, an options object or an
/// exception never leaks it; error messages never echo what was parsed either.</para>
/// <para>The all-zero key is refused everywhere: it is what <c>default(BloomFilterKey)</c> holds (a key
/// that was never set), and keyed hashing with it would equal the public, unkeyed hashing.</para>
/// </remarks>
public readonly struct BloomFilterKey : IEquatable<BloomFilterKey>
{
    /// <summary>Bytes in a key.</summary>
    public const int SizeInBytes = 16;

    /// <summary>Hexadecimal digits in a key's text form.</summary>
    public const int HexLength = SizeInBytes * 2;

    private BloomFilterKey(ulong first, ulong second)
    {
        First = first;
        Second = second;
    }

    /// <summary>Bytes 0..7, little-endian: the half ItemHash seeds XxHash128 with.</summary>
    internal ulong First { get; }

    /// <summary>Bytes 8..15, little-endian: the half ItemHash mixes into h1 and h2.</summary>
    internal ulong Second { get; }

    /// <summary>True for <c>default(BloomFilterKey)</c>, which no filter accepts.</summary>
    internal bool IsZero => (First | Second) == 0;

    /// <summary>A new key from the operating system's cryptographic random number generator.</summary>
    public static BloomFilterKey NewRandom()
    {
        Span<byte> bytes = stackalloc byte[SizeInBytes];
        BloomFilterKey key;
        do
        {
            RandomNumberGenerator.Fill(bytes);
            key = FromBytes(bytes);
        }
        while (key.IsZero); // 2^-128; the loop states the invariant rather than trusting the odds

        return key;
    }

    /// <summary>Reads a key from exactly 32 hexadecimal digits (either case, nothing else around them).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="hex"/> is null.</exception>
    /// <exception cref="FormatException">Not 32 hexadecimal digits, or all zeros. The message never contains the input.</exception>
    public static BloomFilterKey Parse(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        return TryParse(hex, out var key, out var error) ? key : throw new FormatException(error);
    }

    /// <summary>As <see cref="Parse"/>, returning false instead of throwing (also for null).</summary>
    public static bool TryParse([NotNullWhen(true)] string? hex, out BloomFilterKey key) =>
        TryParse(hex, out key, out _);

    private static bool TryParse(string? hex, out BloomFilterKey key, out string error)
    {
        key = default;
        if (hex is null || hex.Length != HexLength)
        {
            // The length is not the secret; the characters would be.
            error = $"A Bloom filter key must be exactly {HexLength} hexadecimal digits ({SizeInBytes} bytes); the value given has {hex?.Length ?? 0} characters.";
            return false;
        }

        Span<byte> bytes = stackalloc byte[SizeInBytes];
        if (Convert.FromHexString(hex, bytes, out _, out _) != OperationStatus.Done)
        {
            error = $"A Bloom filter key must be exactly {HexLength} hexadecimal digits ({SizeInBytes} bytes); the value given has a character that is not a hexadecimal digit.";
            return false;
        }

        key = FromBytes(bytes);
        if (key.IsZero)
        {
            key = default;
            error = "A Bloom filter key must not be all zeros: keyed hashing with it would equal the public, unkeyed hashing.";
            return false;
        }

        error = "";
        return true;
    }

    /// <summary>The key as 32 lower-case hexadecimal digits, byte 0 first; <see cref="Parse"/> reads it back. This is the secret: keep it out of logs.</summary>
    public string ToHex()
    {
        Span<byte> bytes = stackalloc byte[SizeInBytes];
        WriteBytes(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    /// <summary>Never the key: "BloomFilterKey(****)".</summary>
    public override string ToString() => "BloomFilterKey(****)";

    internal static BloomFilterKey FromBytes(ReadOnlySpan<byte> bytes) =>
        new(BinaryPrimitives.ReadUInt64LittleEndian(bytes), BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..SizeInBytes]));

    internal void WriteBytes(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(destination, First);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..SizeInBytes], Second);
    }

    /// <summary>Compares without a branch on the key bits, so its timing says nothing about where two keys differ.</summary>
    public bool Equals(BloomFilterKey other) => ((First ^ other.First) | (Second ^ other.Second)) == 0;

    public override bool Equals(object? obj) => obj is BloomFilterKey other && Equals(other);

    /// <summary>Randomized per process (<see cref="HashCode"/>), so it says nothing stable about the key.</summary>
    public override int GetHashCode() => HashCode.Combine(First, Second);

    public static bool operator ==(BloomFilterKey left, BloomFilterKey right) => left.Equals(right);

    public static bool operator !=(BloomFilterKey left, BloomFilterKey right) => !left.Equals(right);
}
