using System.Buffers.Binary;
using System.Globalization;
using System.Net;

namespace EdgeGuard.Proxy.Budget;

/// <summary>
/// Who a budget belongs to: an IPv4 address (an IPv4-mapped IPv6 address counts as the IPv4 address it carries, so
/// a dual-stack listener does not give one client two budgets), or an IPv6 /64. A /64 is what one subscriber or
/// host is given; one host can take any of its 2^64 addresses, so a budget per IPv6 address would be no budget.
/// </summary>
public readonly record struct ClientKey
{
    // An IPv6 key holds its first 64 bits in _prefix and 0 in _suffix; an IPv4 key holds 0 and the address in its
    // mapped form (::ffff:a.b.c.d); the unknown client holds a _suffix no address has.
    private readonly ulong _prefix;
    private readonly ulong _suffix;

    private ClientKey(ulong prefix, ulong suffix)
    {
        _prefix = prefix;
        _suffix = suffix;
    }

    /// <summary>A request without a remote address (an in-process test host): all such requests share one budget.</summary>
    public static ClientKey Unknown { get; } = new(0, ulong.MaxValue);

    public static ClientKey Of(IPAddress? address)
    {
        if (address is null)
        {
            return Unknown;
        }

        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out var written))
        {
            return Unknown;
        }

        if (written == 4)
        {
            return V4(BinaryPrimitives.ReadUInt32BigEndian(bytes));
        }

        var prefix = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        var suffix = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        return prefix == 0 && suffix >> 32 == 0xFFFF
            ? V4((uint)suffix)
            : new ClientKey(prefix, 0);
    }

    public bool IsIPv4 => _prefix == 0 && _suffix >> 32 == 0xFFFF;

    /// <summary>For logs: the IPv4 address, or the IPv6 /64.</summary>
    public override string ToString()
    {
        if (this == Unknown)
        {
            return "(unknown)";
        }

        if (IsIPv4)
        {
            var v4 = (uint)_suffix;
            return string.Create(CultureInfo.InvariantCulture, $"{v4 >> 24}.{(v4 >> 16) & 0xFF}.{(v4 >> 8) & 0xFF}.{v4 & 0xFF}");
        }

        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, _prefix);
        return new IPAddress(bytes) + "/64";
    }

    private static ClientKey V4(uint address) => new(0, 0xFFFF_0000_0000UL | address);
}
