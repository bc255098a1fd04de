using EdgeGuard.Filter;
using EdgeGuard.Proxy.Admin;
using EdgeGuard.Proxy.CatalogHealth;
using EdgeGuard.Proxy.Budget;
using EdgeGuard.Proxy.Caching;
using EdgeGuard.Proxy.Cluster;
using EdgeGuard.Proxy.Configuration;
using EdgeGuard.Proxy.Dashboard;
using EdgeGuard.Proxy.Filtering;
using EdgeGuard.Proxy.Filtering.Snapshots;
using EdgeGuard.Proxy.Filtering.Sources;
using EdgeGuard.Proxy.Filtering.Sources.Sql;
using EdgeGuard.Proxy.Observability;
using EdgeGuard.Proxy.Gateway;
using EdgeGuard.Proxy.Reads;
using EdgeGuard.Proxy.SharedCache;
using EdgeGuard.Proxy.Writes;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Transforms;

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

    var services = builder.Services;
    services.AddOptions<EdgeGuardOptions>().BindConfiguration(EdgeGuardOptions.SectionName).ValidateOnStart();
    services.AddSingleton<IPostConfigureOptions<EdgeGuardOptions>, EnvironmentAliases>();
    services.AddSingleton<IValidateOptions<EdgeGuardOptions>, EdgeGuardOptionsAnnotationsValidator>();
    services.AddSingleton<IValidateOptions<EdgeGuardOptions>, EdgeGuardOptionsValidator>();
    services.AddSingleton<IValidateOptions<EdgeGuardOptions>, FilterOptionsValidator>();
    services.AddSingleton<IValidateOptions<EdgeGuardOptions>, ClientBudgetOptionsValidator>();
    services.TryAddSingleton(TimeProvider.System);
    services.AddSingleton(provider => new ProductIdRule(provider.GetRequiredService<IOptions<EdgeGuardOptions>>().Value.IdPattern));
    services.AddSingleton<LogThrottle>();
    services.AddSingleton<ForwarderFailureReporter>();
    services.AddEdgeGuardTelemetry(builder.Configuration);
    services.AddDashboard();

    // The filter: its sources, how it is built and kept loaded.
    services.AddHttpClient(CatalogDestination.HttpClientName);
    services.AddSingleton<CatalogDestination>();
    services.AddIdSources();
    services.AddSingleton<IdSourceSet>();
    services.AddSingleton<FilterBuilder>();
    services.AddSingleton(provider =>
    {
        var options = provider.GetRequiredService<IOptions<EdgeGuardOptions>>().Value;
        return new ProductFilter(options.Writes.MaxPending, options.Bloom.RebuildGrace);
    });
    services.AddSingleton<FilterKeyProvider>();
    services.AddSingleton<LocalFilterStore>();
    services.AddSingleton<SnapshotState>();
    services.AddSingleton<SnapshotRestorer>();
    services.AddSingleton<FilterLoader>();
    services.AddHostedService(provider => provider.GetRequiredService<FilterLoader>());
    services.AddIdSourcePolling();

    // Reads: the gate, each client's budget, the cache and its fills, and what keeps them coherent with writes.
    services.AddSingleton<ReadGate>();
    services.AddSingleton<ClientBudget>();
    services.AddProductCache();
    // Routes cached as an HTTP shared cache (EdgeGuard.Cache: shared), on the same FusionCache.
    services.AddSharedCache();
    services.AddSingleton<UpstreamFetcher>();
    services.AddSingleton<ProductLookup>();
    services.AddSingleton<CommitPositions>();
    services.AddSingleton<WriteBodyReader>();
    services.AddSingleton<WriteVerifier>();

    // Standalone, or one of the instances sharing REDIS_URL (a cluster): each role has both, chosen at start.
    services.AddSingleton<ClusterIdentity>();
    services.AddSingleton<ClusterStatus>();
    services.AddSingleton<ClusterSync>();
    services.AddHostedService(provider => provider.GetRequiredService<ClusterSync>());
    services.AddSingleton<ClusterLeader>();
    services.AddHostedService(provider => provider.GetRequiredService<ClusterLeader>());
    services.AddSingleton<LocalWriteCoordinator>();
    services.AddSingleton<ClusterWriteCoordinator>();
    services.AddSingleton<LocalIdAnnouncer>();
    services.AddSingleton<ClusterIdAnnouncer>();
    services.AddSingleton(Clustered<IWriteCoordinator, ClusterWriteCoordinator, LocalWriteCoordinator>);
    services.AddSingleton(Clustered<IIdAnnouncer, ClusterIdAnnouncer, LocalIdAnnouncer>);
    services.AddSingleton(Clustered<IFilterReloader, ClusterLeader, FilterLoader>);
    services.AddSingleton<StandaloneLeadership>();
    services.AddSingleton(Clustered<ILeadership, ClusterLeader, StandaloneLeadership>);

    services.AddProblemDetails();
    services.AddHealthChecks()
        .AddCheck<FilterReadyHealthCheck>("bloom-filter", tags: ["ready"])
        .AddCheck<CacheHealthCheck>("cache", tags: ["ready"]);
    services.AddReverseProxy()
        .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
        .AddConfigFilter<UpstreamUrlConfigFilter>()
        .AddConfigFilter<CacheRouteConfigFilter>()
        .AddCatalogFailureDetection()
        .AddTransforms(transforms =>
        {
            transforms.AddRequestTransform(ClientHeaders.RemoveEdgeGuardHeaders);
            transforms.AddResponseTransform(SharedFetcher.RemoveConnectionListedHeaders);
        });

    var app = builder.Build();
    // Who the client is, for its budget: X-Forwarded-For only from known proxies.
    app.UseClientAddresses();
    // The gauges read the live filter, cache and cluster whenever an exporter collects; they exist once made.
    app.Services.GetRequiredService<EdgeGuardGauges>();
    HttpClientInstruments.CreateNow(app.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
    app.MapHealthChecks("/health", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = HealthReportWriter.WriteAsync });
    app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready"), ResponseWriter = HealthReportWriter.WriteAsync });
    app.MapPrometheusScrapingEndpoint("/metrics");
    app.MapBloomEndpoints();
    app.MapDashboard();
    app.MapReverseProxy(proxy =>
    {
        proxy.UseMiddleware<ForwarderFailureMiddleware>();
        proxy.UseMiddleware<RouteGuardMiddleware>();
        proxy.UseMiddleware<ProductWriteMiddleware>();
        proxy.UseMiddleware<ProductReadMiddleware>();
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
    if (!app.Services.GetRequiredService<RedisConnection>().IsConfigured)
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
    /// <summary>The cluster's implementation of a role when <c>REDIS_URL</c> names a Redis, else the standalone one.</summary>
    private static TRole Clustered<TRole, TCluster, TStandalone>(IServiceProvider provider)
        where TCluster : TRole
        where TStandalone : TRole
        where TRole : notnull =>
        provider.GetRequiredService<RedisConnection>().IsConfigured
            ? provider.GetRequiredService<TCluster>()
            : provider.GetRequiredService<TStandalone>();
}
