// Baseline for the cold-miss scenario: a plain YARP pass-through of GET /products/{id} to the catalog,
// with no filter, cache or bookkeeping. Routes and cluster live in appsettings.json; UPSTREAM_URL
// overrides the catalog destination, as it does for the gateway. Used only by bench/load/run.sh.
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
app.MapReverseProxy();
app.Run();
