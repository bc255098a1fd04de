using System.Text.Json;
using EdgeGuard.Proxy.Caching;
using EdgeGuard.Proxy.Observability;
using Microsoft.AspNetCore.Mvc;

namespace EdgeGuard.Proxy.Protection;

/// <summary>The answers the gateway writes itself, without the catalog.</summary>
internal static class GatewayResponses
{
    public const string ProblemJson = "application/problem+json";

    /// <summary>404 for an id that does not exist, as the filter or a negative entry says.</summary>
    public static Task WriteAbsentAsync(HttpContext context, string id, string source) =>
        WriteAsync(context, StatusCodes.Status404NotFound, AbsentContentType, AbsentBody(id, source), source);

    /// <summary>The 404 answer for an absent id, as an entry that can be shared with waiting requests.</summary>
    public static CacheEntry Absent(string id, string source) =>
        CacheEntry.Positive(StatusCodes.Status404NotFound, AbsentContentType, AbsentBody(id, source));

    private const string AbsentContentType = "application/json";

    private static byte[] AbsentBody(string id, string source) =>
        JsonSerializer.SerializeToUtf8Bytes(new ProductAbsent(id, false, source), EdgeGuardJsonContext.Default.ProductAbsent);

    /// <summary>Replays a cached or shared answer; <paramref name="source"/> null for answers that are no lookup's.</summary>
    public static Task ReplayAsync(HttpContext context, CacheEntry entry, string? source) =>
        WriteAsync(context, entry.StatusCode, entry.ContentType, entry.Body, source);

    public static CacheEntry Problem(int status, string title, string detail, string instance)
    {
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail, Instance = instance };
        var body = JsonSerializer.SerializeToUtf8Bytes(problem, EdgeGuardJsonContext.Default.ProblemDetails);
        return CacheEntry.Positive(status, ProblemJson, body);
    }

    public static Task WriteProblemAsync(HttpContext context, int status, string title, string detail, string? source = null) =>
        ReplayAsync(context, Problem(status, title, detail, context.Request.Path), source);

    private static Task WriteAsync(HttpContext context, int status, string? contentType, ReadOnlyMemory<byte> body, string? source)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = contentType;
        response.ContentLength = body.Length;
        if (source is not null)
        {
            response.Headers[Sources.HeaderName] = source;
        }

        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : response.Body.WriteAsync(body).AsTask();
    }
}
