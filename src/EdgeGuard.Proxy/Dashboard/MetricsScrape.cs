namespace EdgeGuard.Proxy.Dashboard;

/// <summary>
/// The gateway's own <c>/metrics</c> answer, produced in-process by the OpenTelemetry Prometheus exporter's
/// pipeline (the very middleware behind <c>/metrics</c>, built once here with no HTTP involved). The dashboard
/// reads the numbers the exporter already aggregates, so it adds no listener and no work to any request, and it
/// shows exactly what Prometheus scrapes.
/// </summary>
public sealed class MetricsScrape(IServiceProvider services)
{
    private readonly Lazy<RequestDelegate> _pipeline = new(() =>
        new ApplicationBuilder(services)
            .UseOpenTelemetryPrometheusScrapingEndpoint(meterProvider: null, predicate: _ => true, path: null, configureBranchedPipeline: null, optionsName: null)
            .Build());

    /// <summary>The exposition text, or null when the exporter did not answer 200.</summary>
    public async Task<string?> ReadAsync(CancellationToken cancellationToken)
    {
        using var body = new MemoryStream();
        var context = new DefaultHttpContext { RequestServices = services, RequestAborted = cancellationToken };
        context.Request.Method = HttpMethods.Get;
        context.Request.Headers.Accept = "text/plain; version=0.0.4";
        context.Response.Body = body;
        await _pipeline.Value(context).ConfigureAwait(false);
        return context.Response.StatusCode == StatusCodes.Status200OK ? System.Text.Encoding.UTF8.GetString(body.GetBuffer(), 0, (int)body.Length) : null;
    }
}
