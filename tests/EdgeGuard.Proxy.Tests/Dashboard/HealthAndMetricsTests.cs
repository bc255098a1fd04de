using System.Net.Http.Headers;

namespace EdgeGuard.Proxy.Tests.Dashboard;

/// <summary>/health/ready in both of its forms, and metrics that stay per gateway when a process runs several.</summary>
public sealed class HealthAndMetricsTests : IAsyncLifetime
{
    private readonly WireMockServer _upstream = Upstream.StartCatalog();
    private InProcessGateway _one = null!;
    private InProcessGateway _two = null!;

    private GatewayBuilder Gateway => Gateways.Build().WithUpstream(_upstream.Url!).WithIds(["SKU-1"]);

    public Task InitializeAsync()
    {
        _one = Gateway.InProcess();
        _two = Gateway.InProcess();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _one.DisposeAsync();
        await _two.DisposeAsync();
        _upstream.Stop();
    }

    [Fact]
    public async Task Readiness_answers_json_with_each_check_when_asked_and_the_status_word_otherwise()
    {
        using var client = await _one.CreateReadyClientAsync();

        using var plain = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        Assert.Equal("text/plain", plain.MediaType());
        Assert.Equal("Healthy", await plain.Content.ReadAsStringAsync());

        using var request = new HttpRequestMessage(HttpMethod.Get, "/health/ready");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var json = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, json.StatusCode);
        Assert.Equal("application/json", json.MediaType());
        using var body = JsonDocument.Parse(await json.Content.ReadAsStringAsync());
        Assert.Equal("Healthy", body.RootElement.GetProperty("status").GetString());
        var checks = body.RootElement.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c);
        Assert.Equal(["bloom-filter", "cache", "id-sources"], checks.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("Healthy", checks["bloom-filter"].GetProperty("status").GetString());
        Assert.Equal("Bloom filter loaded with 1 ids (snapshot: none).", checks["bloom-filter"].GetProperty("description").GetString());
        Assert.Equal("Embedded cache.", checks["cache"].GetProperty("description").GetString());
    }

    [Fact]
    public async Task Each_gateway_in_a_process_counts_its_own_requests()
    {
        using var one = await _one.CreateReadyClientAsync();
        using var two = await _two.CreateReadyClientAsync();

        for (var i = 0; i < 3; i++)
        {
            using (await one.GetAsync($"/products/MISSING-{i}")) { }
        }

        Assert.Equal(3, (await ScrapedMetrics.ReadAsync(one)).Value("edgeguard_bloom_rejects_total"));
        var other = await ScrapedMetrics.ReadAsync(two);
        Assert.Equal(0, other.Value("edgeguard_bloom_rejects_total"));
        Assert.Null(other.Value("edgeguard_request_duration_seconds_count", ("source", "bloom")));
    }

    [Fact]
    public async Task Metrics_are_pushed_over_otlp_when_an_endpoint_is_set()
    {
        using var collector = WireMockServer.Start();
        collector.Given(Request.Create().WithPath("/v1/metrics").UsingPost()).RespondWith(Response.Create().WithStatusCode(200));
        await using var gateway = Gateway
            .WithSetting("OTEL_EXPORTER_OTLP_ENDPOINT", collector.Url)
            .WithSetting("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
            .WithSetting("OTEL_METRIC_EXPORT_INTERVAL", "200")
            .InProcess();
        using var client = await gateway.CreateReadyClientAsync();
        using (await client.GetAsync("/products/MISSING-1")) { }

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!collector.LogEntries.Any(entry => entry.RequestMessage?.BodyAsBytes is { } body && Contains(body, "edgeguard.bloom.rejects"u8)))
        {
            Assert.True(DateTime.UtcNow < deadline, $"no OTLP export with the gateway's metrics reached the collector ({collector.LogEntries.Count()} requests)");
            await Task.Delay(100);
        }

        // OTLP over HTTP, as the standard variables asked.
        Assert.All(collector.LogEntries, entry => Assert.Equal("/v1/metrics", entry.RequestMessage?.Path));
    }

    private static bool Contains(byte[] haystack, ReadOnlySpan<byte> needle) => haystack.AsSpan().IndexOf(needle) >= 0;

    [Fact]
    public async Task Product_reads_are_timed_by_edgeguard_and_other_endpoints_by_aspnetcore()
    {
        using var client = await _one.CreateReadyClientAsync();
        using (await client.GetAsync("/products/MISSING-1")) { }
        using (await client.GetAsync("/bloom/stats")) { }

        var metrics = await ScrapedMetrics.ReadAsync(client);

        Assert.Equal(1, metrics.Value("edgeguard_request_duration_seconds_count", ("source", "bloom")));
        Assert.DoesNotContain("http_route=\"/products/{**id}\"", metrics.Text, StringComparison.Ordinal);
        Assert.Contains("http_route=\"/bloom/stats\"", metrics.Text, StringComparison.Ordinal);
        // The runtime's and Kestrel's own metrics are there too.
        Assert.Contains("dotnet_gc_heap_total_allocated_bytes_total", metrics.Names);
        Assert.Contains("http_server_active_requests", metrics.Names);
    }

    [Fact]
    public async Task Yarps_forwarder_counts_are_on_metrics()
    {
        _upstream.StubProduct("SKU-1");
        using var client = await _one.CreateReadyClientAsync();
        // YARP's counters are the process's, and other tests forward too: what is checked is that these forwards show.
        var before = (await ScrapedMetrics.ReadAsync(client)).Value("yarp_proxy_requests_started_total") ?? 0;

        // A cache miss and a path the gateway only forwards: each is one request of YARP's forwarder.
        using (var fetched = await client.GetAsync("/products/SKU-1"))
        {
            Assert.Equal(HttpStatusCode.OK, fetched.StatusCode);
        }

        using (await client.GetAsync("/categories")) { }
        Assert.Equal(2, _upstream.Calls());

        // The counters arrive once a second.
        var started = await Eventually.ValueAsync(
            async () => (await ScrapedMetrics.ReadAsync(client)).Value("yarp_proxy_requests_started_total") ?? 0,
            value => value >= before + 2, TimeSpan.FromSeconds(15));
        Assert.True(started >= before + 2, $"yarp_proxy_requests_started_total went from {before} to {started} after two forwards");
        var metrics = await ScrapedMetrics.ReadAsync(client);
        Assert.NotNull(metrics.Value("yarp_proxy_requests_failed_total"));
        Assert.NotNull(metrics.Value("yarp_proxy_current_requests"));
    }
}
