using System.Globalization;
using System.Net;
using System.Net.Sockets;
using EdgeGuard.Proxy.Configuration;

namespace EdgeGuard.Proxy.Budget;

/// <summary>
/// Reads and checks the <c>EdgeGuard:ClientBudget</c> section without I/O. Every failure names its setting: a
/// rate or burst that cannot work, a network or proxy address that does not parse. A typo in a network list must
/// stop start-up, not quietly limit (or stop limiting) someone else.
/// </summary>
public static class ClientBudgetSettings
{
    /// <summary>Highest rate accepted; far above any catalog's capacity, low enough to keep the bucket's arithmetic exact.</summary>
    public const double MaxPerSecond = 1_000_000;

    private const string Section = ClientBudgetOptions.SectionPath;

    public static IEnumerable<string> Validate(ClientBudgetOptions options)
    {
        if (options.UpstreamPerSecond is { } rate && !(rate > 0 && rate <= MaxPerSecond))
        {
            yield return $"{Section}:UpstreamPerSecond must be more than 0 and at most {MaxPerSecond:0} (catalog requests per second per client; unset turns the budget off), not {rate.ToString(CultureInfo.InvariantCulture)}.";
        }

        if (options.Burst is < 1)
        {
            yield return $"{Section}:Burst must be at least 1 (catalog requests a client may cause at once; unset means twice UpstreamPerSecond), not {options.Burst}.";
        }

        foreach (var failure in NetworkFailures(options.ExemptNetworks, "ExemptNetworks").Concat(NetworkFailures(options.KnownNetworks, "KnownNetworks")))
        {
            yield return failure;
        }

        for (var i = 0; i < options.KnownProxies.Count; i++)
        {
            if (!TryParseAddress(options.KnownProxies[i], out _))
            {
                yield return $"{Section}:KnownProxies:{i} '{options.KnownProxies[i]}' is not an IP address (e.g. 10.0.0.5 or 2001:db8::5).";
            }
        }
    }

    /// <summary>The networks of a checked list (validation refused any that do not parse).</summary>
    public static IReadOnlyList<IPNetwork> Networks(IEnumerable<string> texts) =>
        texts.Select(text => TryParseNetwork(text, out var network) ? network : throw new ConfigurationErrorException($"'{text}' is not a CIDR network.")).ToList();

    /// <summary>The addresses of a checked list (validation refused any that do not parse).</summary>
    public static IReadOnlyList<IPAddress> Addresses(IEnumerable<string> texts) =>
        texts.Select(text => TryParseAddress(text, out var address) ? address : throw new ConfigurationErrorException($"'{text}' is not an IP address.")).ToList();

    /// <summary>
    /// A network in CIDR notation, as written: <c>10.0.0.0/8</c>, <c>2001:db8::/32</c>. A base address with bits set
    /// after the prefix (<c>10.0.0.1/8</c>) is refused rather than rounded: it is more likely a typo for another
    /// network than a wish for this one.
    /// </summary>
    public static bool TryParseNetwork(string? text, out IPNetwork network)
    {
        network = default;
        var trimmed = text?.Trim();
        var slash = trimmed?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        return slash > 0 &&
               TryParseAddress(trimmed![..slash], out var address) &&
               IPNetwork.TryParse(trimmed, out network) &&
               network.BaseAddress.Equals(address);
    }

    /// <summary>An IPv4 address in four dotted parts or an IPv6 address; not the shorthand forms <c>IPAddress</c> also
    /// reads (<c>10</c> as 0.0.0.10, <c>10.1</c> as 10.0.0.1), which in a trust list would be a mistake.</summary>
    public static bool TryParseAddress(string? text, out IPAddress address)
    {
        address = IPAddress.None;
        var trimmed = text?.Trim();
        if (string.IsNullOrEmpty(trimmed) || !IPAddress.TryParse(trimmed, out var parsed))
        {
            return false;
        }

        var wellFormed = parsed.AddressFamily == AddressFamily.InterNetwork
            ? trimmed.Count(c => c == '.') == 3
            : parsed.AddressFamily == AddressFamily.InterNetworkV6 && trimmed.Contains(':', StringComparison.Ordinal);
        address = parsed;
        return wellFormed;
    }

    private static IEnumerable<string> NetworkFailures(List<string> networks, string setting)
    {
        for (var i = 0; i < networks.Count; i++)
        {
            if (!TryParseNetwork(networks[i], out _))
            {
                yield return $"{Section}:{setting}:{i} '{networks[i]}' is not a network in CIDR notation (an address, '/', a prefix length, no bits set after the prefix: e.g. 10.0.0.0/8, 203.0.113.7/32 or 2001:db8::/32).";
            }
        }
    }
}
