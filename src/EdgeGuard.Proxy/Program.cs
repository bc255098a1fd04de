using EdgeGuard.Proxy;
using EdgeGuard.Proxy.Admin;
using EdgeGuard.Proxy.Budget;
using EdgeGuard.Proxy.Cluster;
using EdgeGuard.Proxy.Configuration;
using EdgeGuard.Proxy.Dashboard;
using EdgeGuard.Proxy.Filtering;
using EdgeGuard.Proxy.Filtering.Sources.Sql;
using EdgeGuard.Proxy.Gateway;
using EdgeGuard.Proxy.Observability;
using EdgeGuard.Proxy.Reads;
using EdgeGuard.Proxy.SharedCache;
using EdgeGuard.Proxy.Writes;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;

try
{
    var builder = WebApplication.CreateBuilder(args);
    builder.Configuration.ReadAppSettingsBesideBinary();
    if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
    {
        builder.WebHost.UseUrls("http://0.0.0.0:8000");
    }

    // Response header values are written as Latin-1, as HttpClient reads them: an upstream header with bytes outside
    // ASCII (obs-text, RFC 9110 5.5) reaches the client as it came instead of failing the answer.
    builder.WebHost.ConfigureKestrel(kestrel => kestrel.ResponseHeaderEncodingSelector = _ => System.Text.Encoding.Latin1);

    builder.Services.AddEdgeGuard(builder.Configuration);

    var app = builder.Build();
    // Who the client is, for its budget: X-Forwarded-For only from known proxies.
    app.UseClientAddresses();
    HttpClientInstruments.CreateNow(app.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
    app.MapHealthChecks("/health", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = HealthReportWriter.WriteAsync });
    app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready"), ResponseWriter = HealthReportWriter.WriteAsync });
    app.MapPrometheusScrapingEndpoint("/metrics");
    app.MapBloomEndpoints();
    app.MapDashboard();
    app.MapReverseProxy(proxy =>
    {
        proxy.UseMiddleware<RouteGuardMiddleware>();
        proxy.UseMiddleware<ProductWriteMiddleware>();
        proxy.UseMiddleware<ProductReadMiddleware>();
        proxy.UseMiddleware<ForwarderFailureMiddleware>();
        proxy.UseMiddleware<SharedCacheMiddleware>();
        proxy.UseSessionAffinity();
        proxy.UseLoadBalancing();
        proxy.UsePassiveHealthChecks();
    })
    // Product reads are timed once, by edgeguard_request_duration_seconds (by what answered): ASP.NET Core's own
    // request-duration histogram, with its five tags, would cost each read several times more (bench/RESULTS.md,
    // "Metrics exporter"). Every other endpoint keeps it.
    .ConfigureEndpoints((endpoint, route) =>
    {
        if (route.Metadata?.ContainsKey(RouteMetadataKeys.ProductId) == true)
        {
            endpoint.DisableHttpMetrics();
        }
    });

    // A query the catalog's database refuses is a configuration error, reported like the others (an unreachable
    // database is not: the filter's first load retries it).
    await app.Services.GetRequiredService<SqlQueryCheck>().RunAsync(CancellationToken.None);
    // A standalone gateway owns its snapshot path: a second one started on it is refused like a bad setting.
    if (!app.Services.GetRequiredService<ClusterStatus>().IsClustered)
    {
        app.Services.GetRequiredService<LocalFilterStore>().Claim();
    }

    app.Run();
    // Non-zero when a source's configuration proved unusable once it could be read (FilterLoader.StopForConfiguration).
    return Environment.ExitCode;
}
catch (Exception e) when (StartupErrors.Find(e) is { Count: > 0 } errors)
{
    Console.Error.WriteLine($"EdgeGuard cannot start, the configuration is invalid:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", errors)}");
    return StartupErrors.InvalidConfigurationExitCode;
}

/// <summary>Entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program
{
}
