using Microsoft.Extensions.Diagnostics.Metrics;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace EdgeGuard.Proxy.Observability;

public static class TelemetryServiceCollectionExtensions
{
    /// <summary>OpenTelemetry's name for its <see cref="IMetricsListener"/>: the rules below enable meters for it.</summary>
    private const string OpenTelemetryListener = "OpenTelemetry";

    /// <summary>
    /// The gateway's metrics on OpenTelemetry: its own instruments, the runtime's, ASP.NET Core's, Kestrel's and YARP's, the
    /// HTTP client's (the forwarder's requests to the catalog) and FusionCache's distributed level, exposed in
    /// Prometheus text at <c>/metrics</c> (bench/RESULTS.md, "Metrics exporter", says why this exporter) and, when
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, pushed over OTLP as the standard <c>OTEL_*</c> variables say.
    /// </summary>
    /// <remarks>
    /// Meters are chosen by <see cref="IMetricsBuilder"/> rules, not by the SDK's <c>AddMeter</c>: a rule can be
    /// <see cref="MeterScope.Local"/>, which takes only meters made by this host's <see cref="System.Diagnostics.Metrics.IMeterFactory"/>,
    /// so each gateway in a process (the tests run several) exports its own counts. The runtime's, the HTTP client's
    /// and FusionCache's meters are process-wide (<see cref="MeterScope.Global"/>). YARP 2.3 publishes EventCounters
    /// only (no Meter): <see cref="YarpForwarderCounters"/> brings its forwarder's counts onto the EdgeGuard meter.
    /// </remarks>
    public static IServiceCollection AddEdgeGuardTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<EdgeGuardMetrics>();
        services.AddSingleton<YarpForwarderCounters>();
        services.AddSingleton<IGauges, ForwarderGauges>();
        services.AddHostedService<MetricsPublication>();

        services.AddMetrics(metrics => metrics
            .EnableMetrics(EdgeGuardMetrics.MeterName, null, OpenTelemetryListener, MeterScope.Local)
            .EnableMetrics("Microsoft.AspNetCore.Hosting", null, OpenTelemetryListener, MeterScope.Local)
            .EnableMetrics("Microsoft.AspNetCore.Server.Kestrel", null, OpenTelemetryListener, MeterScope.Local)
            .EnableMetrics("System.Runtime", null, OpenTelemetryListener, MeterScope.Global)
            .EnableMetrics("System.Net.Http", null, OpenTelemetryListener, MeterScope.Global | MeterScope.Local)
            // Only the distributed level: its counters move on Redis reads, which cost a round trip anyway. The memory
            // level's would add allocating measurements to every cache hit.
            .EnableMetrics("ZiggyCreatures.Caching.Fusion.Distributed", null, OpenTelemetryListener, MeterScope.Global));

        var telemetry = services.AddOpenTelemetry();
        if (string.IsNullOrEmpty(configuration["OTEL_SERVICE_NAME"]))
        {
            telemetry.ConfigureResource(resource => resource.AddService("edgeguard"));
        }

        telemetry.WithMetrics(metrics =>
        {
            // As with prometheus-net before (no exemplars): no trace context is read on each measurement.
            metrics.SetExemplarFilter(ExemplarFilterType.AlwaysOff);
            metrics.AddPrometheusExporter(prometheus =>
            {
                // The contract's series as they were: no otel_scope_* labels, no target_info, and a scrape that reads
                // the counters as they are now (not a copy cached for a while).
                prometheus.ScopeInfoEnabled = false;
                prometheus.TargetInfoEnabled = false;
                prometheus.ScrapeResponseCacheDurationMilliseconds = 0;
            });
            if (!string.IsNullOrEmpty(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]) || !string.IsNullOrEmpty(configuration["OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"]))
            {
                metrics.AddOtlpExporter();
            }
        });
        return services;
    }
}
