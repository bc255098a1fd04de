using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace EdgeGuard.Benchmarks.Metrics;

/// <summary>
/// What ASP.NET Core's hosting layer records per request once a listener enables its meter (HostingMetrics:
/// <c>http.server.active_requests</c> +1/-1 with scheme and method, <c>http.server.request.duration</c> with scheme,
/// method, protocol, status and route). Before issue 12 nothing listened to it, so it cost nothing; after, it does.
/// The same instruments, names and tags, on a meter of the benchmark's factory. The gateway disables the duration
/// histogram on its product-read route (its own histogram times those); the active-requests counter stays.
/// </summary>
public sealed class AspNetCoreRequestInstruments
{
    private static readonly object Status404 = 404;
    private static readonly object Status200 = 200;
    private readonly UpDownCounter<long> _active;
    private readonly Histogram<double> _duration;

    public AspNetCoreRequestInstruments(IMeterFactory meters)
    {
        var meter = meters.Create("Microsoft.AspNetCore.Hosting");
        _active = meter.CreateUpDownCounter<long>("http.server.active_requests", "{request}", "Number of active HTTP server requests.");
        _duration = meter.CreateHistogram("http.server.request.duration", "s", "Duration of HTTP server requests.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10] });
    }

    public void RequestStart()
    {
        if (_active.Enabled)
        {
            var tags = new TagList { { "url.scheme", "http" }, { "http.request.method", "GET" } };
            _active.Add(1, tags);
        }
    }

    /// <param name="recordDuration">False where the endpoint disables it (the gateway's product reads: DisableHttpMetrics).</param>
    public void RequestEnd(bool found, double seconds, bool recordDuration)
    {
        var tags = new TagList { { "url.scheme", "http" }, { "http.request.method", "GET" } };
        if (_active.Enabled)
        {
            _active.Add(-1, tags);
        }

        if (recordDuration && _duration.Enabled)
        {
            tags.Add("network.protocol.version", "1.1");
            tags.Add("http.response.status_code", found ? Status200 : Status404);
            tags.Add("http.route", "/products/{**id}");
            _duration.Record(seconds, tags);
        }
    }
}
