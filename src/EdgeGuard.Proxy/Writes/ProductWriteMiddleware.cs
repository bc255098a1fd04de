using EdgeGuard.Filter;
using EdgeGuard.Proxy.Filtering;
using EdgeGuard.Proxy.Gateway;
using EdgeGuard.Proxy.Observability;

namespace EdgeGuard.Proxy.Writes;

/// <summary>
/// Writes forwarded to the catalog (routes whose metadata names where the product id is): finds and checks
/// the id, then hands the write to the <see cref="IWriteCoordinator"/>: the id is pending before the write is
/// forwarded, and enters the filter only once the catalog answered 2xx (committed before the answer's headers
/// leave, so a client that reads right after its write is never refused). A refused or failed write leaves
/// the filter as it was; one whose answer never came back stays pending until the catalog says.
/// </summary>
public sealed class ProductWriteMiddleware(
    RequestDelegate next,
    IWriteCoordinator coordinator,
    WriteBodyReader bodies,
    ProductIdRule idRule,
    EdgeGuardMetrics metrics,
    ILogger<ProductWriteMiddleware> logger)
{
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
        var kind = HttpMethods.IsDelete(context.Request.Method) ? WriteKind.Delete : WriteKind.Upsert;
        var id = await FindIdAsync(context, metadata, kind).ConfigureAwait(false);
        if (id is null)
        {
            return; // refused, with the answer written
        }

        IPendingWrite write;
        try
        {
            write = await coordinator.BeginAsync(id, kind, context.RequestAborted).ConfigureAwait(false);
        }
        catch (WriteRefusedException e)
        {
            WriteLogMessages.WriteRefused(logger, id, e.Message);
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(e.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await GatewayResponses.WriteProblemAsync(context, StatusCodes.Status503ServiceUnavailable, "Write not accepted now", e.Message).ConfigureAwait(false);
            return;
        }

        await using (write.ConfigureAwait(false))
        {
            // Committed as the answer starts, before the client can see the 2xx.
            context.Response.OnStarting(() => WriteOutcomes.Of(context) == WriteOutcome.Accepted
                ? CommitOrLeavePendingAsync(write).AsTask()
                : Task.CompletedTask);
            await next(context).ConfigureAwait(false);
            switch (WriteOutcomes.Of(context))
            {
                case WriteOutcome.Accepted:
                    await CommitOrLeavePendingAsync(write).ConfigureAwait(false); // a no-op once done as the answer started
                    break;
                case WriteOutcome.Refused:
                    await write.AbortAsync().ConfigureAwait(false);
                    break;
                default:
                    write.Unresolved();
                    break;
            }
        }
    }

    /// <summary>A commit that fails (a cluster that became unreachable) leaves the id pending, never lost:
    /// its outcome is then learned from the catalog.</summary>
    private static async ValueTask CommitOrLeavePendingAsync(IPendingWrite write)
    {
        try
        {
            await write.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            write.Unresolved();
        }
    }

    /// <summary>The id written, or null when the request was refused (the answer is written).</summary>
    private async Task<string?> FindIdAsync(HttpContext context, IReadOnlyDictionary<string, string> metadata, WriteKind kind)
    {
        string? id;
        if (metadata.GetValueOrDefault(RouteMetadataKeys.WriteProductId) is { } routeValue)
        {
            id = context.GetRouteValue(routeValue) as string;
            if (kind == WriteKind.Upsert && !WriteBodyReader.IsJson(context.Request))
            {
                await RefuseAsync(context, StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "A product body is application/json.").ConfigureAwait(false);
                return null;
            }
        }
        else
        {
            var read = await bodies.ReadIdAsync(context, metadata[RouteMetadataKeys.WriteProductIdJsonProperty]).ConfigureAwait(false);
            if (read.Refusal is { } refusal)
            {
                await RefuseAsync(context, refusal.Status, refusal.Title, refusal.Detail).ConfigureAwait(false);
                return null;
            }

            id = read.Id;
        }

        if (id is null || !idRule.IsValid(id))
        {
            await RefuseAsync(context, StatusCodes.Status400BadRequest, "Invalid product id", $"A product id is a JSON string matching {idRule.Pattern}.").ConfigureAwait(false);
            return null;
        }

        return id;
    }

    private Task RefuseAsync(HttpContext context, int status, string title, string detail)
    {
        metrics.InvalidRequests.Add(1);
        return GatewayResponses.WriteProblemAsync(context, status, title, detail);
    }
}
