using System.Diagnostics.Metrics;

namespace EdgeGuard.Proxy.Observability;

/// <summary>YARP's forwarder, as YARP names its counters (requests-started, current-requests, requests-failed).</summary>
public sealed class ForwarderGauges(YarpForwarderCounters forwarder) : IGauges
{
    public void Create(Meter meter)
    {
        meter.CreateObservableCounter("yarp.proxy.requests_started", () => forwarder.Started, "{request}",
            "Requests YARP's forwarder started towards the catalog (this process; updated once a second).");
        meter.CreateObservableCounter("yarp.proxy.requests_failed", () => forwarder.Failed, "{request}",
            "Forwards that failed: no answer from the catalog, a timeout, a client that went away (this process).");
        meter.CreateObservableUpDownCounter("yarp.proxy.current_requests", () => forwarder.Current, "{request}",
            "Forwards in flight (this process).");
    }
}
