using System.Text.Json.Serialization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EdgeGuard.Proxy.Observability;

/// <summary>
/// The health endpoints' <c>ResponseWriter</c>: JSON with every check's status and description for a client that
/// asks for it (<c>Accept: application/json</c>), else the plain status word the health checks library writes by
/// default (what scripts and load balancers read today). The status code is the library's either way.
/// </summary>
public static class HealthReportWriter
{
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        if (!AcceptsJson(context.Request))
        {
            context.Response.ContentType = "text/plain";
            return context.Response.WriteAsync(report.Status.ToString());
        }

        var body = new HealthReportBody(
            report.Status.ToString(),
            report.TotalDuration.TotalMilliseconds,
            [.. report.Entries.Select(entry => new HealthCheckBody(entry.Key, entry.Value.Status.ToString(), entry.Value.Description,
                entry.Value.Duration.TotalMilliseconds, entry.Value.Tags.ToArray()))]);
        return context.Response.WriteAsJsonAsync(body, HealthJsonContext.Default.HealthReportBody, contentType: "application/json");
    }

    private static bool AcceptsJson(HttpRequest request) =>
        request.GetTypedHeaders().Accept.Any(type => type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase));
}

public sealed record HealthReportBody(string Status, double TotalDurationMs, HealthCheckBody[] Checks);

public sealed record HealthCheckBody(string Name, string Status, string? Description, double DurationMs, string[] Tags);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(HealthReportBody))]
internal sealed partial class HealthJsonContext : JsonSerializerContext;
