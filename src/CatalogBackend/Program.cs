using Prometheus;

namespace CatalogBackend;

/// <summary>
/// The catalog API that EdgeGuard protects: products in SQLite, seeded from <c>PRODUCTS_FILE</c> at start-up.
/// Composition only; every concept lives in its own file.
/// </summary>
public class Program
{
    public static void Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        CatalogUrls.UseDefaultUnlessConfigured(builder);
        CatalogLogging.Configure(builder.Logging);
        builder.Services.AddCatalog();

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapCatalogEndpoints();
        app.MapHealthChecks("/health");
        app.MapMetrics("/metrics", app.Services.GetRequiredService<CatalogMetrics>().Registry);
        app.Run();
    }
}
