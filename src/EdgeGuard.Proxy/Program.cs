using EdgeGuard.Filter;
using EdgeGuard.Proxy.Admin;
using EdgeGuard.Proxy.Caching;
using EdgeGuard.Proxy.Configuration;
using EdgeGuard.Proxy.Filtering;
using EdgeGuard.Proxy.Observability;
using EdgeGuard.Proxy.Protection;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Prometheus;
using Yarp.ReverseProxy.Transforms;

var builder = WebApplication.CreateBuilder(args);
builder.Configuration.ReadAppSettingsBesideBinary();
if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
{
    builder.WebHost.UseUrls("http://0.0.0.0:8000");
}

var services = builder.Services;
services.AddOptions<EdgeGuardOptions>().BindConfiguration(EdgeGuardOptions.SectionName).ValidateOnStart();
services.AddSingleton<IPostConfigureOptions<EdgeGuardOptions>, EnvironmentAliases>();
services.AddSingleton<IValidateOptions<EdgeGuardOptions>, EdgeGuardOptionsAnnotationsValidator>();
services.AddSingleton<IValidateOptions<EdgeGuardOptions>, EdgeGuardOptionsValidator>();
services.TryAddSingleton(TimeProvider.System);
services.AddSingleton(provider => new ProductIdRule(provider.GetRequiredService<IOptions<EdgeGuardOptions>>().Value.IdPattern));
services.AddSingleton<ProductFilter>();
services.AddSingleton<FilterSources>();
services.AddSingleton<FilterLoader>();
services.AddHostedService(provider => provider.GetRequiredService<FilterLoader>());
services.AddHttpClient(FilterSources.CatalogHttpClient);
services.AddProductCache();
services.AddSingleton<WriteEpochs>();
services.AddSingleton<EdgeGuardMetrics>();
services.AddProblemDetails();
services.AddHealthChecks()
    .AddCheck<FilterReadyHealthCheck>("bloom-filter", tags: ["ready"])
    .AddCheck<CacheHealthCheck>("cache", tags: ["ready"]);
services.AddReverseProxy()
    .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
    .AddConfigFilter<UpstreamUrlConfigFilter>()
    .AddTransforms(transforms => transforms.AddRequestTransform(ClientHeaders.RemoveEdgeGuardHeaders));

var app = builder.Build();
app.MapHealthChecks("/health", new HealthCheckOptions { Predicate = _ => false });
app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });
app.MapMetrics("/metrics", app.Services.GetRequiredService<EdgeGuardMetrics>().Registry);
app.MapBloomEndpoints();
app.MapReverseProxy(proxy =>
{
    proxy.UseMiddleware<ProductWriteMiddleware>();
    proxy.UseMiddleware<ProductReadMiddleware>();
    proxy.UseSessionAffinity();
    proxy.UseLoadBalancing();
    proxy.UsePassiveHealthChecks();
});

try
{
    app.Run();
    return 0;
}
catch (OptionsValidationException e)
{
    Console.Error.WriteLine($"EdgeGuard cannot start, the configuration is invalid:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", e.Failures)}");
    return 2;
}

/// <summary>Entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
