using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;

namespace EdgeGuard.Proxy.Dashboard;

/// <summary>
/// <c>GET /dashboard</c>: the operator's live page, a gateway endpoint like <c>/bloom/stats</c> (never proxied). The
/// page, its script, styles and the vendored chart library (uPlot, with its licence) are embedded in the gateway's
/// assembly; nothing is loaded from anywhere else. The page asks <c>/dashboard/data</c> about once a second.
/// </summary>
public static class DashboardEndpoints
{
    private static readonly EmbeddedFileProvider Assets = new(typeof(DashboardEndpoints).Assembly, "EdgeGuard.Proxy.Dashboard.Assets");
    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    public static IServiceCollection AddDashboard(this IServiceCollection services) =>
        services.AddSingleton<MetricsScrape>().AddSingleton<DashboardSampler>();

    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/dashboard", () => Asset("index.html"));
        endpoints.MapGet("/dashboard/assets/{**path}", (string path) => Asset(path));
        endpoints.MapGet("/dashboard/data", async (DashboardSampler sampler, HttpContext context) =>
        {
            context.Response.Headers.CacheControl = "no-store";
            return Results.Bytes(await sampler.ReadAsync(context.RequestAborted), "application/json");
        });
        return endpoints;
    }

    /// <summary>An embedded file, with Last-Modified (so a reload can be answered 304), or 404.</summary>
    private static IResult Asset(string path)
    {
        var file = Assets.GetFileInfo(path);
        if (!file.Exists || !ContentTypes.TryGetContentType(path, out var contentType))
        {
            return Results.NotFound();
        }

        return Results.Stream(file.CreateReadStream(), contentType, lastModified: file.LastModified);
    }
}
