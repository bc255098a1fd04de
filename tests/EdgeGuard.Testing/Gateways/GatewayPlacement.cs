using System.Net;

namespace EdgeGuard.Testing.Gateways;

/// <summary>
/// Where a gateway process runs: the address it listens on and the command that starts <c>dotnet</c> there. By default
/// on loopback, started directly; inside a network namespace, at the namespace's address and started through
/// <c>ip netns exec</c> (which runs the command in place, so the process id is the gateway's own and signals reach it).
/// </summary>
/// <param name="Address">The address the gateway listens on and clients reach it at.</param>
/// <param name="Launcher">The command and arguments <c>dotnet</c> is run with; empty to run it directly.</param>
public sealed record GatewayPlacement(IPAddress Address, IReadOnlyList<string> Launcher)
{
    /// <summary>On 127.0.0.1, started directly.</summary>
    public static GatewayPlacement Loopback { get; } = new(IPAddress.Loopback, []);

    /// <summary>Inside the network namespace <paramref name="name"/>, listening on <paramref name="address"/> (one of the namespace's).</summary>
    public static GatewayPlacement InNamespace(string name, IPAddress address) => new(address, ["ip", "netns", "exec", name]);
}
