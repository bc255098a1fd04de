using EdgeGuard.Testing.Faults;

namespace EdgeGuard.Faults.Network;

/// <summary>
/// The wire between the gateways and one service (Redis, the catalog), through fault proxies: one gateway's traffic can
/// be held or delayed while the others' passes.
/// </summary>
public interface IServiceLink : IAsyncDisposable
{
    /// <summary>The address (host:port) gateway <paramref name="instance"/> reaches the service at.</summary>
    string AddressFor(int instance);

    /// <summary>A partition of one gateway: every byte of its connections held, nothing refused; the others pass.</summary>
    Task HoldAsync(int instance);

    /// <summary>Latency and stalls on the traffic of one gateway (or of every gateway when <paramref name="instance"/> is null).</summary>
    Task DelayAsync(DelayFault delay, int? instance = null);

    /// <summary>Back to passing every byte; what was held is delivered or dropped as <paramref name="held"/> says.</summary>
    Task HealAsync(HeldBytes held = HeldBytes.Deliver);
}
