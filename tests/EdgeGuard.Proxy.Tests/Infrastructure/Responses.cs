namespace EdgeGuard.Proxy.Tests.Infrastructure;

public static class Responses
{
    public static string Source(this HttpResponseMessage response) =>
        response.Headers.TryGetValues("X-EdgeGuard-Source", out var values) ? string.Join(",", values) : "(none)";

    public static string? MediaType(this HttpResponseMessage response) => response.Content.Headers.ContentType?.MediaType;
}
