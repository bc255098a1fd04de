using System.Text.Json;
using EdgeGuard.Filter;
using EdgeGuard.Proxy.Caching;
using EdgeGuard.Proxy.Configuration;
using EdgeGuard.Proxy.Filtering;
using EdgeGuard.Proxy.Observability;
using Microsoft.Extensions.Options;

namespace EdgeGuard.Proxy.Protection;

/// <summary>
/// Keeps the filter and the cache honest about writes forwarded to the catalog (routes whose metadata
/// names where the product id is). The id is added to the filter before the write is forwarded, so the
/// product can never exist while the filter denies it; after a 2xx its cache entry is removed before the
/// answer's headers leave, so a client that reads right after its write never meets a stale entry.
/// </summary>
public sealed class ProductWriteMiddleware(
    RequestDelegate next,
    ProductFilter filter,
    IProductCacheStore cache,
    ProductIdRule idRule,
    WriteEpochs writeEpochs,
    EdgeGuardMetrics metrics,
    IOptions<EdgeGuardOptions> options)
{
    private readonly int _maxBodyBytes = options.Value.Cache.MaxBodyBytes;

    public Task InvokeAsync(HttpContext context)
    {
        // Reads pass straight through, without an async frame of this middleware's.
        var metadata = context.GetReverseProxyFeature().Route.Config.Metadata;
        return metadata is not null &&
               (metadata.ContainsKey(RouteMetadataKeys.WriteProductId) || metadata.ContainsKey(RouteMetadataKeys.WriteProductIdJsonProperty))
            ? GuardWriteAsync(context, metadata)
            : next(context);
    }

    private async Task GuardWriteAsync(HttpContext context, IReadOnlyDictionary<string, string> metadata)
    {
        List<string> ids;
        if (metadata.GetValueOrDefault(RouteMetadataKeys.WriteProductId) is { } routeValue)
        {
            ids = context.GetRouteValue(routeValue) is string id ? [id] : [];
        }
        else if (await ReadIdsFromBodyAsync(context, metadata[RouteMetadataKeys.WriteProductIdJsonProperty]).ConfigureAwait(false) is { } bodyIds)
        {
            ids = bodyIds;
        }
        else
        {
            return;
        }

        if (ids.Count == 0 && metadata.ContainsKey(RouteMetadataKeys.WriteProductId) || ids.Exists(id => !idRule.IsValid(id)))
        {
            await RefuseAsync(context, "Invalid product id", $"A product id matches {idRule.Pattern}.").ConfigureAwait(false);
            return;
        }

        foreach (var id in ids)
        {
            writeEpochs.Bump(id);
        }

        context.Response.OnStarting(() => InvalidateAfterSuccessAsync(context, ids));
        using (filter.BeginWrite(ids))
        {
            await next(context).ConfigureAwait(false);
        }
    }

    private async Task InvalidateAfterSuccessAsync(HttpContext context, List<string> ids)
    {
        if (context.Response.StatusCode is < 200 or >= 300)
        {
            return;
        }

        foreach (var id in ids)
        {
            writeEpochs.Bump(id);
            await cache.RemoveAsync(id, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Finds the product id in a JSON body without consuming it (the body is buffered and rewound for the
    /// forwarder). Every top-level property whose name matches case-insensitively counts, since the catalog's
    /// binder may pick any of them: adding an extra id to the filter costs at most a false positive. Null
    /// when the request was refused (body too large or not JSON).
    /// </summary>
    private async Task<List<string>?> ReadIdsFromBodyAsync(HttpContext context, string property)
    {
        var request = context.Request;
        if (request.ContentLength > _maxBodyBytes)
        {
            await RefuseTooLargeAsync(context).ConfigureAwait(false);
            return null;
        }

        request.EnableBuffering(bufferThreshold: _maxBodyBytes, bufferLimit: _maxBodyBytes + 1);
        var body = new MemoryStream();
        try
        {
            await request.Body.CopyToAsync(body, context.RequestAborted).ConfigureAwait(false);
        }
        catch (IOException)
        {
            await RefuseTooLargeAsync(context).ConfigureAwait(false);
            return null;
        }

        request.Body.Position = 0;
        if (body.Length > _maxBodyBytes)
        {
            await RefuseTooLargeAsync(context).ConfigureAwait(false);
            return null;
        }

        try
        {
            return FindTopLevelValues(body.GetBuffer().AsSpan(0, (int)body.Length), property);
        }
        catch (JsonException e)
        {
            await RefuseAsync(context, "Request body is not JSON", e.Message).ConfigureAwait(false);
            return null;
        }
    }

    private static List<string> FindTopLevelValues(ReadOnlySpan<byte> json, string property)
    {
        var ids = new List<string>();
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("The body is not a JSON object.");
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var matches = string.Equals(reader.GetString(), property, StringComparison.OrdinalIgnoreCase);
            reader.Read();
            if (matches && reader.TokenType is JsonTokenType.String or JsonTokenType.Number)
            {
                ids.Add(reader.TokenType == JsonTokenType.String ? reader.GetString()! : System.Text.Encoding.UTF8.GetString(reader.ValueSpan));
            }
            else
            {
                reader.Skip();
            }
        }

        // Reading to the end also rejects trailing garbage.
        while (reader.Read())
        {
        }

        return ids;
    }

    private Task RefuseTooLargeAsync(HttpContext context) =>
        RefuseAsync(context, "Request body too large", $"A product body is at most {_maxBodyBytes} bytes.");

    private Task RefuseAsync(HttpContext context, string title, string detail)
    {
        metrics.InvalidRequests.Inc();
        return GatewayResponses.WriteProblemAsync(context, StatusCodes.Status400BadRequest, title, detail);
    }
}
