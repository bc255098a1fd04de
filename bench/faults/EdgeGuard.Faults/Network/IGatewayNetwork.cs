using System.Net;
using EdgeGuard.Testing.Gateways;

namespace EdgeGuard.Faults.Network;

/// <summary>Where the gateways run and how their links to the services are wired.</summary>
public interface IGatewayNetwork : IAsyncDisposable
{
    /// <summary>What this wiring is, and what it means for the run, in words.</summary>
    string Description { get; }

    /// <summary>Whether every gateway reaches each service at the same URL (so their snapshots record the same sources).</summary>
    bool SharedUrls { get; }

    /// <summary>Where gateway <paramref name="instance"/> runs.</summary>
    GatewayPlacement Placement(int instance);

    /// <summary>The port gateway <paramref name="instance"/> listens on (the same across its restarts).</summary>
    int GatewayPort(int instance);

    /// <summary>A faultable link from the gateways to a service listening at <paramref name="target"/> (on loopback); the caller disposes it.</summary>
    IServiceLink Link(IPEndPoint target);
}
