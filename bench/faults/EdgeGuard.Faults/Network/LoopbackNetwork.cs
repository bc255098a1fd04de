using System.Globalization;
using System.Net;
using EdgeGuard.Testing;
using EdgeGuard.Testing.Faults;
using EdgeGuard.Testing.Gateways;

namespace EdgeGuard.Faults.Network;

/// <summary>
/// The fallback when network namespaces cannot be made (not root, or no netns support): every gateway on loopback, and
/// a fault proxy per gateway per link, so one gateway's link can be faulted alone. Each gateway then reaches Redis and
/// the catalog at URLs of its own: its filter snapshots record another catalog URL than the others', so it never
/// restores from theirs (correct, but not the deployment the harness means to prove).
/// </summary>
/// <param name="why">Why loopback (asked for, or why namespaces could not be made), for the run's description.</param>
public sealed class LoopbackNetwork(int instances, string why) : IGatewayNetwork
{
    private readonly int[] _ports = [.. Enumerable.Range(0, instances).Select(_ => LoopbackPorts.Free())];

    public string Description =>
        $"loopback with a fault proxy per gateway per link ({why}): each gateway reaches Redis and the catalog " +
        "at URLs of its own, so no gateway restores from a snapshot another wrote (their sources differ by the catalog URL)";

    public bool SharedUrls => false;

    public GatewayPlacement Placement(int instance) => GatewayPlacement.Loopback;

    public int GatewayPort(int instance) => _ports[instance];

    public IServiceLink Link(IPEndPoint target) => new PerGatewayLink([.. _ports.Select(_ => FaultProxy.Start(target))]);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private sealed class PerGatewayLink(IReadOnlyList<FaultProxy> proxies) : IServiceLink
    {
        public string AddressFor(int instance) => $"127.0.0.1:{proxies[instance].Port.ToString(CultureInfo.InvariantCulture)}";

        public Task HoldAsync(int instance) => proxies[instance].HoldAsync();

        public Task DelayAsync(DelayFault delay, int? instance = null) =>
            Task.WhenAll(proxies.Where((_, i) => instance is null || instance == i).Select(proxy => proxy.DelayAsync(delay)));

        public Task HealAsync(HeldBytes held = HeldBytes.Deliver) => Task.WhenAll(proxies.Select(proxy => proxy.HealAsync(held)));

        public async ValueTask DisposeAsync()
        {
            foreach (var proxy in proxies)
            {
                await proxy.DisposeAsync();
            }
        }
    }
}
