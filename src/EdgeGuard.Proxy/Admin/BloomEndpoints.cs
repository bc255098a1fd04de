using System.Security.Cryptography;
using System.Text;
using EdgeGuard.Filter;
using EdgeGuard.Proxy.Configuration;
using EdgeGuard.Proxy.Filtering;
using EdgeGuard.Proxy.Observability;
using Microsoft.Extensions.Options;

namespace EdgeGuard.Proxy.Admin;

/// <summary><c>GET /bloom/stats</c> and the admin-only <c>POST /bloom/reload</c>.</summary>
public static class BloomEndpoints
{
    public const string AdminKeyHeader = "X-Admin-Key";

    public static IEndpointRouteBuilder MapBloomEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/bloom/stats", (ProductFilter filter, IOptions<EdgeGuardOptions> options) =>
            Results.Json(Stats(filter, options.Value.Bloom), BloomJsonContext.Default.BloomStats));

        endpoints.MapPost("/bloom/reload", async (HttpContext context, FilterLoader loader, ProductFilter filter,
            IOptions<EdgeGuardOptions> options, ILoggerFactory loggers, bool? force) =>
        {
            if (Authorize(context, options.Value.AdminKey) is { } refusal)
            {
                return refusal;
            }

            Log.ReloadRequested(loggers.CreateLogger(typeof(BloomEndpoints)));
            try
            {
                var report = await loader.ReloadAsync(force ?? false, context.RequestAborted);
                var result = new BloomReloadResult(report.Items, report.Duration.TotalMilliseconds, Stats(filter, options.Value.Bloom));
                return Results.Json(result, BloomJsonContext.Default.BloomReloadResult);
            }
            catch (FilterShrinkRefusedException e)
            {
                return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Reload refused: the filter would shrink",
                    detail: e.Message);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Reload failed",
                    detail: $"The filter in use stays. {e.Message}");
            }
        });

        return endpoints;
    }

    private static BloomStats Stats(ProductFilter filter, BloomOptions options) =>
        filter.Current is { } current
            ? BloomStats.Of(current, filter.Items, ready: true)
            : BloomStats.Of(EmptyFilterOfSize(options), 0, ready: false);

    private static BloomFilter? s_emptyForStats;

    /// <summary>Before the first load, the stats show the size the filter will have.</summary>
    private static BloomFilter EmptyFilterOfSize(BloomOptions options)
    {
        var empty = s_emptyForStats;
        if (empty is null || empty.ExpectedItems != options.ExpectedItems || empty.FalsePositiveRate != options.FalsePositiveRate)
        {
            s_emptyForStats = empty = new BloomFilter(options.ExpectedItems, options.FalsePositiveRate);
        }

        return empty;
    }

    private static IResult? Authorize(HttpContext context, string? adminKey)
    {
        if (string.IsNullOrEmpty(adminKey))
        {
            return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Admin endpoints are disabled",
                detail: "Set EDGEGUARD_ADMIN_KEY to enable them.");
        }

        var given = context.Request.Headers[AdminKeyHeader].ToString();
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(adminKey))
            ? null
            : Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Admin key required",
                detail: $"Send the admin key in the {AdminKeyHeader} header.");
    }
}
