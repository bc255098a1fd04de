using System.Diagnostics.Metrics;

namespace EdgeGuard.Proxy.Observability;

/// <summary>
/// A feature's observable gauges: each reads the live object when an exporter collects (a scrape, the dashboard's
/// sample, an OTLP export), never on a request. Created on the EdgeGuard meter when the host starts (<see cref="MetricsPublication"/>).
/// </summary>
public interface IGauges
{
    void Create(Meter meter);
}
