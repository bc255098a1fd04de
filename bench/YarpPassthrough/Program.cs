// Baseline for the cold-miss scenario: a plain YARP pass-through of GET /products/{id} to the catalog,
// with no filter, cache or bookkeeping. Routes and cluster live in appsettings.json; UPSTREAM_URL
// overrides the catalog destination, as it does for the gateway. Used by bench/load/run.sh.
//
// With REJECT_IN_PIPELINE=1 it forwards nothing: a proxy-pipeline middleware answers every request with
// the 404 body EdgeGuard's Bloom filter sends, and the forwarder is never reached. That is the floor of
// a short-circuit inside YARP's pipeline (routing, YARP's per-request set-up, the auto-added
// authorization middleware), measured against the bare Kestrel app in bench/RESULTS.md.
using System.Text.Json;

var builder = WebApplication.CreateBuilder(args);

var upstream = Environment.GetEnvironmentVariable("UPSTREAM_URL");
if (!string.IsNullOrWhiteSpace(upstream))
{
    if (!Uri.TryCreate(upstream, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
    {
        throw new InvalidOperationException($"UPSTREAM_URL must be an absolute http(s) URL, got '{upstream}'.");
    }

    builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["ReverseProxy:Clusters:catalog:Destinations:catalog:Address"] = uri.ToString(),
    });
}

builder.Services.AddReverseProxy().LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"));

var app = builder.Build();
if (Environment.GetEnvironmentVariable("REJECT_IN_PIPELINE") == "1")
{
    app.MapReverseProxy(pipeline => pipeline.Use((HttpContext context, RequestDelegate _) =>
    {
        var id = context.GetRouteValue("id") as string ?? "";
        var body = JsonSerializer.SerializeToUtf8Bytes(new NotFoundBody(id, false, "bloom"), NotFoundBodyJson.Default.NotFoundBody);
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body).AsTask();
    }));
}
else
{
    app.MapReverseProxy();
}

app.Run();
