using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EdgeGuard.Filter;
using EdgeGuard.Proxy.Cluster;
using EdgeGuard.Proxy.Configuration;
using EdgeGuard.Proxy.Filtering;
using EdgeGuard.Proxy.Filtering.Snapshots;
using EdgeGuard.Proxy.Observability;
using EdgeGuard.Proxy.Writes;

namespace EdgeGuard.Proxy.Admin;

/// <summary><c>GET /bloom/stats</c>, and the admin-only <c>POST /bloom/reload</c> and <c>POST /bloom/ids</c>.</summary>
public static class BloomEndpoints
{
    public const string AdminKeyHeader = "X-Admin-Key";

    /// <summary>Ids one <c>POST /bloom/ids</c> may carry; a larger import is a rebuild from a source.</summary>
    public const int MaxAnnouncedIds = 100_000;

    private const int MaxIdsBodyBytes = 8 * 1024 * 1024;

    public static IEndpointRouteBuilder MapBloomEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/bloom/stats", (ProductFilter filter, ClusterStatus cluster, SnapshotState snapshot, IOptions<EdgeGuardOptions> options) =>
            Results.Json(Stats(filter, cluster.View, snapshot, options.Value.Bloom), BloomJsonContext.Default.BloomStats));

        endpoints.MapPost("/bloom/reload", async (HttpContext context, IFilterReloader reloader, ProductFilter filter, ClusterStatus cluster,
            SnapshotState snapshot, IOptions<EdgeGuardOptions> options, ILoggerFactory loggers, bool? force) =>
        {
            if (Authorize(context, options.Value.AdminKey) is { } refusal)
            {
                return refusal;
            }

            LogMessages.ReloadRequested(loggers.CreateLogger(typeof(BloomEndpoints)));
            try
            {
                var report = await reloader.ReloadAsync(force ?? false, context.RequestAborted);
                var result = new BloomReloadResult(report.Items, report.Duration.TotalMilliseconds, Stats(filter, cluster.View, snapshot, options.Value.Bloom));
                return Results.Json(result, BloomJsonContext.Default.BloomReloadResult);
            }
            catch (FilterShrinkRefusedException e)
            {
                return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Reload refused: the filter would shrink", detail: e.Message);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Reload failed",
                    detail: $"The filter in use stays. {e.Message}");
            }
        });

        // Products created behind the gateways' back: on every instance before the answer.
        endpoints.MapPost("/bloom/ids", async (HttpContext context, IIdAnnouncer announcer, ProductIdRule idRule, IOptions<EdgeGuardOptions> options) =>
        {
            if (Authorize(context, options.Value.AdminKey) is { } refusal)
            {
                return refusal;
            }

            var (ids, problem) = await ReadIdsAsync(context.Request, idRule);
            if (problem is not null)
            {
                return problem;
            }

            try
            {
                await announcer.AnnounceAsync(ids, context.RequestAborted);
            }
            catch (WriteRefusedException e)
            {
                context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(e.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Ids not announced", detail: e.Message);
            }

            return Results.Json(new BloomIdsResult(ids.Count), BloomJsonContext.Default.BloomIdsResult);
        });

        return endpoints;
    }

    /// <summary>A JSON array of strings, or text/plain with one id per line; every id must be valid.</summary>
    private static async Task<(IReadOnlyList<string> Ids, IResult? Problem)> ReadIdsAsync(HttpRequest request, ProductIdRule idRule)
    {
        if (request.ContentLength > MaxIdsBodyBytes)
        {
            return ([], Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Too many ids", detail: $"At most {MaxIdsBodyBytes} bytes."));
        }

        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, request.HttpContext.RequestAborted);
        string[] ids;
        var isJson = WriteBodyReader.IsJson(request);
        if (isJson)
        {
            try
            {
                ids = JsonSerializer.Deserialize(body.GetBuffer().AsSpan(0, (int)body.Length), BloomJsonContext.Default.StringArray) ?? [];
            }
            catch (JsonException e)
            {
                return ([], Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Not a JSON array of ids", detail: e.Message));
            }
        }
        else if (request.ContentType is null || request.ContentType.StartsWith("text/plain", StringComparison.OrdinalIgnoreCase))
        {
            ids = Encoding.UTF8.GetString(body.GetBuffer(), 0, (int)body.Length)
                .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }
        else
        {
            return ([], Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type",
                detail: "Send a JSON array of ids (application/json) or one id per line (text/plain)."));
        }

        var invalid = ids.Where(id => id is null || !idRule.IsValid(id)).Take(5).ToList();
        if (invalid.Count > 0)
        {
            return ([], Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid product ids",
                detail: $"Every id must match {idRule.Pattern}; for example these do not: {string.Join(", ", invalid.Select(id => JsonSerializer.Serialize(id, BloomJsonContext.Default.String)))}."));
        }

        if (ids.Length > MaxAnnouncedIds)
        {
            return ([], Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Too many ids",
                detail: $"At most {MaxAnnouncedIds} ids per request; a larger import is a rebuild from a source."));
        }

        return ([.. ids.Distinct(StringComparer.Ordinal)], null);
    }

    private static BloomStats Stats(ProductFilter filter, ClusterView cluster, SnapshotState snapshot, BloomOptions options) =>
        filter.Current is { } current
            ? BloomStats.Of(current, filter.Items, ready: true, cluster, snapshot.Name)
            : BloomStats.Of(EmptyFilterOfSize(options), 0, ready: false, cluster, snapshot.Name);

    private static BloomFilter? _emptyForStats;

    /// <summary>Before the first load, the stats show the size the filter will have.</summary>
    private static BloomFilter EmptyFilterOfSize(BloomOptions options)
    {
        var empty = _emptyForStats;
        var layout = BloomLayoutSetting.Of(options);
        if (empty is null || empty.ExpectedItems != options.ExpectedItems || empty.FalsePositiveRate != options.FalsePositiveRate || empty.Layout != layout)
        {
            _emptyForStats = empty = new BloomFilter(options.ExpectedItems, options.FalsePositiveRate, layout);
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
