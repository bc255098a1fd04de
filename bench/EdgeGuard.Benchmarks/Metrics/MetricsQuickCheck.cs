using System.Diagnostics;

namespace EdgeGuard.Benchmarks.Metrics;

/// <summary>
/// The exporter A/B interleaved (<c>--quick-metrics</c>): every variant of <see cref="MetricsHotPathBenchmarks"/> in turn,
/// round after round, in one process, so a neighbour's load on the shared cores falls on all of them alike; the median
/// of the rounds per variant, in ns per request. A cross-check of the BenchmarkDotNet run, not a replacement.
/// </summary>
public static class MetricsQuickCheck
{
    public static void Run(int rounds = 15, int perRound = 2_000_000)
    {
        var benchmarks = new MetricsHotPathBenchmarks();
        benchmarks.Setup();
        (string Name, Action Request)[] variants =
        [
            ("Today_PrometheusNet", benchmarks.Today_PrometheusNet),
            ("Meter_NoListener", benchmarks.Meter_NoListener),
            ("Meter_OpenTelemetry", benchmarks.Meter_OpenTelemetry),
            ("Meter_OpenTelemetry_WithAspNetCore", benchmarks.Meter_OpenTelemetry_WithAspNetCore),
            ("Meter_OpenTelemetry_WithAspNetCoreAndItsDuration", benchmarks.Meter_OpenTelemetry_WithAspNetCoreAndItsDuration),
            ("Meter_PrometheusNetAdapter", benchmarks.Meter_PrometheusNetAdapter),
            ("Meter_PrometheusNetAdapter_WithAspNetCore", benchmarks.Meter_PrometheusNetAdapter_WithAspNetCore),
        ];
        var results = variants.ToDictionary(v => v.Name, _ => new List<double>());
        foreach (var (_, request) in variants)
        {
            Loop(request, perRound / 10); // warm-up, JIT
        }

        for (var round = 0; round < rounds; round++)
        {
            foreach (var (name, request) in variants)
            {
                results[name].Add(Loop(request, perRound));
            }
        }

        benchmarks.Cleanup();
        var baseline = Median(results["Today_PrometheusNet"]);
        Console.WriteLine($"{"variant",-50} {"median ns",10} {"min ns",8} {"max ns",8} {"+ns vs today",13}");
        foreach (var (name, values) in results)
        {
            var median = Median(values);
            Console.WriteLine($"{name,-50} {median,10:F1} {values.Min(),8:F1} {values.Max(),8:F1} {median - baseline,13:+0.0;-0.0}");
        }
    }

    private static double Loop(Action request, int count)
    {
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            request();
        }

        return Stopwatch.GetElapsedTime(started).TotalNanoseconds / count;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
