using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using EdgeGuard.Testing.Faults;
using EdgeGuard.Testing.Gateways;

namespace EdgeGuard.Faults.Network;

/// <summary>
/// Each gateway in a network namespace of its own, at its own address on a bridge that has one address on the host.
/// Redis and the catalog listen on host loopback; one fault proxy per service listens on the bridge address, and every
/// gateway reaches that service through it, at the same URL (so their filter snapshots record the same sources and
/// each restores from the others'). A fault on one gateway's link selects its connections by their source address.
/// Names carry the harness's process id (<c>egf&lt;pid&gt;</c>, <c>egf&lt;pid&gt;-&lt;i&gt;</c>): unique per run, and leftovers of a
/// run that died are recognised and removed by the next.
/// </summary>
public sealed partial class NamespaceNetwork : IGatewayNetwork
{
    public const string Prefix = "egf";
    private const int GatewayListenPort = 8000;

    private readonly string _bridge;
    private readonly IPAddress _bridgeAddress;
    private readonly IReadOnlyList<(string Namespace, IPAddress Address)> _gateways;
    private readonly IDisposable _teardown;

    private NamespaceNetwork(string bridge, IPAddress bridgeAddress, IReadOnlyList<(string, IPAddress)> gateways, IDisposable teardown)
    {
        _bridge = bridge;
        _bridgeAddress = bridgeAddress;
        _gateways = gateways;
        _teardown = teardown;
    }

    public string Description =>
        $"network namespaces ({string.Join(", ", _gateways.Select(g => $"{g.Namespace} at {g.Address}"))}) on bridge {_bridge} " +
        $"({_bridgeAddress} on the host); one fault proxy per link on {_bridgeAddress}, a gateway's connections told apart by their " +
        "source address; every gateway reaches Redis and the catalog at the same URLs";

    public bool SharedUrls => true;

    public GatewayPlacement Placement(int instance) => GatewayPlacement.InNamespace(_gateways[instance].Namespace, _gateways[instance].Address);

    public int GatewayPort(int instance) => GatewayListenPort;

    public IServiceLink Link(IPEndPoint target) => new SharedLink(FaultProxy.Start(target, listenAddress: _bridgeAddress), [.. _gateways.Select(g => g.Address)]);

    /// <summary>
    /// Makes the bridge and a namespace per gateway; null, with the reason, when this machine cannot (not root, no
    /// <c>ip</c>, no namespace support). Leftovers of earlier runs whose process is gone are removed first.
    /// </summary>
    public static (NamespaceNetwork? Network, string? Unavailable) TryCreate(int instances, Action<string> log)
    {
        if (!Environment.IsPrivilegedProcess)
        {
            return (null, "the harness does not run as root (network namespaces need it)");
        }

        try
        {
            IpCommand.Run("-V");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return (null, "iproute2's `ip` is not installed (apt-get install iproute2)");
        }

        RemoveLeftovers(log);
        var tag = Prefix + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        var subnet = FreeSubnet();
        var bridgeAddress = IPAddress.Parse($"{subnet}.1");
        var gateways = Enumerable.Range(0, instances).Select(i => ($"{tag}-{i}", IPAddress.Parse($"{subnet}.{10 + i}"))).ToList();
        var teardown = ExitCleanup.Register(() => TearDown(tag, instances));
        try
        {
            IpCommand.Checked("link", "add", tag, "type", "bridge");
            IpCommand.Checked("addr", "add", $"{bridgeAddress}/24", "dev", tag);
            IpCommand.Checked("link", "set", tag, "up");
            for (var i = 0; i < instances; i++)
            {
                var (name, address) = gateways[i];
                var (hostEnd, namespaceEnd) = ($"{tag}h{i}", $"{tag}n{i}");
                IpCommand.Checked("netns", "add", name);
                IpCommand.Checked("link", "add", hostEnd, "type", "veth", "peer", "name", namespaceEnd, "netns", name);
                IpCommand.Checked("link", "set", hostEnd, "master", tag);
                IpCommand.Checked("link", "set", hostEnd, "up");
                IpCommand.Checked("-n", name, "addr", "add", $"{address}/24", "dev", namespaceEnd);
                IpCommand.Checked("-n", name, "link", "set", namespaceEnd, "up");
                IpCommand.Checked("-n", name, "link", "set", "lo", "up");
            }

            return (new NamespaceNetwork(tag, bridgeAddress, gateways, teardown), null);
        }
        catch (InvalidOperationException e)
        {
            teardown.Dispose();
            return (null, $"network namespaces could not be made here: {e.Message}");
        }
    }

    public ValueTask DisposeAsync()
    {
        _teardown.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Deletes the namespaces (their veth pairs go with them) and the bridge; what is already gone is skipped.</summary>
    private static void TearDown(string tag, int instances)
    {
        for (var i = 0; i < instances; i++)
        {
            IpCommand.Run("netns", "del", $"{tag}-{i}");
            IpCommand.Run("link", "del", $"{tag}h{i}");
        }

        IpCommand.Run("link", "del", tag);
    }

    /// <summary>A /24 under 10.213.0.0/16 that no interface of the host has an address in (another run may be using one).</summary>
    private static string FreeSubnet()
    {
        var used = IpCommand.Checked("-4", "-o", "addr", "show");
        for (var offset = 0; offset < 250; offset++)
        {
            var candidate = $"10.213.{(Environment.ProcessId + offset) % 250 + 1}";
            if (!used.Contains($" {candidate}.", StringComparison.Ordinal))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("no free /24 under 10.213.0.0/16");
    }

    /// <summary>Namespaces and bridges of runs whose process is gone; a namespace with processes still in it is left, and said.</summary>
    private static void RemoveLeftovers(Action<string> log)
    {
        foreach (Match match in NamespaceName().Matches(IpCommand.Run("netns", "list").Output))
        {
            var (name, pid) = (match.Groups[1].Value, int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
            if (pid == Environment.ProcessId || Directory.Exists($"/proc/{pid}"))
            {
                continue;
            }

            var inside = IpCommand.Run("netns", "pids", name).Output.Trim();
            if (inside.Length > 0)
            {
                log($"leftover namespace {name} of a run that died still holds processes {inside.ReplaceLineEndings(" ")}; left as it is");
                continue;
            }

            IpCommand.Run("netns", "del", name);
            log($"removed leftover namespace {name} (its run, process {pid}, is gone)");
        }

        foreach (Match match in BridgeName().Matches(IpCommand.Run("-o", "link", "show").Output))
        {
            var (name, pid) = (match.Groups[1].Value, int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
            if (pid != Environment.ProcessId && !Directory.Exists($"/proc/{pid}"))
            {
                IpCommand.Run("link", "del", name);
                log($"removed leftover link {name} (its run, process {pid}, is gone)");
            }
        }
    }

    [GeneratedRegex(@"^(egf(\d+)-\d+)\b", RegexOptions.Multiline)]
    private static partial Regex NamespaceName();

    [GeneratedRegex(@"^\d+:\s+(egf(\d+)(?:h\d+)?)[@:]", RegexOptions.Multiline)]
    private static partial Regex BridgeName();

    /// <summary>One proxy on the bridge address for every gateway; a gateway's connections are told apart by their source address.</summary>
    private sealed class SharedLink(FaultProxy proxy, IReadOnlyList<IPAddress> gateways) : IServiceLink
    {
        public string AddressFor(int instance) => $"{proxy.Address}:{proxy.Port.ToString(CultureInfo.InvariantCulture)}";

        public Task HoldAsync(int instance) => proxy.HoldAsync(only: From(instance));

        public Task DelayAsync(DelayFault delay, int? instance = null) => proxy.DelayAsync(delay, instance is { } one ? From(one) : null);

        public Task HealAsync(HeldBytes held = HeldBytes.Deliver) => proxy.HealAsync(held);

        public ValueTask DisposeAsync() => proxy.DisposeAsync();

        private Func<IPEndPoint, bool> From(int instance)
        {
            var address = gateways[instance];
            return client => client.Address.Equals(address);
        }
    }
}
