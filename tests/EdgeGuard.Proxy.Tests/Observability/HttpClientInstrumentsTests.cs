using System.Diagnostics.Metrics;

namespace EdgeGuard.Proxy.Tests.Observability;

/// <summary>The HTTP client's instruments exist once the gateway made them at start, before any request is sent.</summary>
public sealed class HttpClientInstrumentsTests
{
    [Fact]
    public void The_http_client_instruments_of_the_hosts_meter_factory_are_made_without_a_request_leaving()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        var published = new ConcurrentBag<string>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Scope == factory)
                {
                    published.Add($"{instrument.Meter.Name}/{instrument.Name}");
                }
            },
        };
        listener.Start();

        HttpClientInstruments.CreateNow(factory);

        Assert.Contains("System.Net.Http/http.client.request.duration", published);
        Assert.Contains("System.Net.Http/http.client.active_requests", published);
    }
}
