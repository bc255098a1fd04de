using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using EdgeGuard.Proxy.Observability;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Prometheus;

namespace EdgeGuard.Benchmarks.Metrics;

/// <summary>
/// The exporter A/B of issue 12: the instrument calls one Bloom reject makes (the hot path of the penetration
/// attack: a counter and the duration histogram; a cache hit makes the same two calls), before (prometheus-net
/// counters, as the gateway had them) and after (System.Diagnostics.Metrics instruments read by each candidate
/// exporter): OpenTelemetry's Prometheus exporter exactly as the gateway registers it
/// (<see cref="TelemetryServiceCollectionExtensions.AddEdgeGuardTelemetry"/>), and prometheus-net's MeterAdapter.
/// The "WithAspNetCore" rows add what ASP.NET Core's hosting layer records per product read once its meter is
/// listened to (it cost nothing before, because nothing listened): the active-requests counter, +1 and -1; the
/// gateway disables ASP.NET Core's request-duration histogram on that route, and the "AndItsDuration" row shows what
/// keeping it would cost. "TwoThreads" rows run the same calls from two
/// threads at once on the same instruments (the gateway's two cores contending for the same counters).
/// Figures are per request.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
public class MetricsHotPathBenchmarks
{
    private const int PerThread = 20_000;
    private static readonly TimeSpan Elapsed = TimeSpan.FromMilliseconds(0.2);

    private PrometheusNetMetrics _today = null!;
    private EdgeGuardMetrics _unheard = null!;
    private EdgeGuardMetrics _otel = null!;
    private AspNetCoreRequestInstruments _otelAspNetCore = null!;
    private EdgeGuardMetrics _adapter = null!;
    private AspNetCoreRequestInstruments _adapterAspNetCore = null!;
    private IHost _host = null!;
    private ServiceProvider _adapterServices = null!;
    private ServiceProvider _unheardServices = null!;
    private IDisposable _meterAdapter = null!;

    [GlobalSetup]
    public void Setup()
    {
        _today = new PrometheusNetMetrics();

        _unheardServices = new ServiceCollection().AddMetrics().BuildServiceProvider();
        _unheard = new EdgeGuardMetrics(_unheardServices.GetRequiredService<IMeterFactory>());

        // OpenTelemetry as the gateway has it: the same registration, in a host that has started.
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddEdgeGuardTelemetry(builder.Configuration);
        _host = builder.Build();
        _host.StartAsync().GetAwaiter().GetResult();
        _otel = _host.Services.GetRequiredService<EdgeGuardMetrics>();
        _otelAspNetCore = new AspNetCoreRequestInstruments(_host.Services.GetRequiredService<IMeterFactory>());

        // prometheus-net's adapter, in a registry of its own, listening only to this container's meters.
        _adapterServices = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = _adapterServices.GetRequiredService<IMeterFactory>();
        var registry = Prometheus.Metrics.NewCustomRegistry();
        _meterAdapter = MeterAdapter.StartListening(new MeterAdapterOptions
        {
            InstrumentFilterPredicate = instrument => instrument.Meter.Scope == factory,
            Registry = registry,
            MetricFactory = Prometheus.Metrics.WithCustomRegistry(registry),
            ResolveHistogramBuckets = _ => Histogram.ExponentialBuckets(0.00005, 2, 16),
        });
        _adapter = new EdgeGuardMetrics(factory);
        _adapterAspNetCore = new AspNetCoreRequestInstruments(factory);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _meterAdapter.Dispose();
        _host.StopAsync().GetAwaiter().GetResult();
        _host.Dispose();
        _adapterServices.Dispose();
        _unheardServices.Dispose();
    }

    [Benchmark(Baseline = true)]
    public void Today_PrometheusNet() => TodayRequest();

    [Benchmark]
    public void Meter_NoListener() => MeterRequest(_unheard);

    [Benchmark]
    public void Meter_OpenTelemetry() => MeterRequest(_otel);

    [Benchmark]
    public void Meter_PrometheusNetAdapter() => MeterRequest(_adapter);

    [Benchmark]
    public void Meter_OpenTelemetry_WithAspNetCore() => MeterRequest(_otel, _otelAspNetCore);

    [Benchmark]
    public void Meter_OpenTelemetry_WithAspNetCoreAndItsDuration() => MeterRequest(_otel, _otelAspNetCore, recordDuration: true);

    [Benchmark]
    public void Meter_PrometheusNetAdapter_WithAspNetCore() => MeterRequest(_adapter, _adapterAspNetCore);

    [Benchmark(OperationsPerInvoke = 2 * PerThread)]
    public void TwoThreads_Today_PrometheusNet() => OnTwoThreads(TodayRequest);

    [Benchmark(OperationsPerInvoke = 2 * PerThread)]
    public void TwoThreads_OpenTelemetry_WithAspNetCore() => OnTwoThreads(() => MeterRequest(_otel, _otelAspNetCore));

    [Benchmark(OperationsPerInvoke = 2 * PerThread)]
    public void TwoThreads_PrometheusNetAdapter_WithAspNetCore() => OnTwoThreads(() => MeterRequest(_adapter, _adapterAspNetCore));

    private void TodayRequest()
    {
        _today.BloomRejects.Inc();
        _today.ObserveDuration("bloom", Elapsed);
    }

    private static void MeterRequest(EdgeGuardMetrics metrics)
    {
        metrics.BloomRejects.Add(1);
        metrics.ObserveDuration("bloom", Elapsed);
    }

    private static void MeterRequest(EdgeGuardMetrics metrics, AspNetCoreRequestInstruments aspNetCore, bool recordDuration = false)
    {
        aspNetCore.RequestStart();
        metrics.BloomRejects.Add(1);
        metrics.ObserveDuration("bloom", Elapsed);
        aspNetCore.RequestEnd(found: false, Elapsed.TotalSeconds, recordDuration);
    }

    private static void OnTwoThreads(Action request)
    {
        Parallel.Invoke(Loop, Loop);

        void Loop()
        {
            for (var i = 0; i < PerThread; i++)
            {
                request();
            }
        }
    }
}
