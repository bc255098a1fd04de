using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace EdgeGuard.Proxy.Tests.Observability;

/// <summary>
/// No trace <see cref="Activity"/> is started for a request while nothing listens for one: ASP.NET Core's hosting
/// starts one (and a logging scope) whenever its per-request log category is enabled at any level, which
/// <c>appsettings.json</c> turns off. Seen from a middleware at the front of the pipeline, as every request passes it.
/// </summary>
public sealed class RequestActivityTests
{
    [Fact]
    public async Task Product_requests_get_no_activity_while_the_hosting_log_is_off()
    {
        var seen = await ActivitiesOfProductRequestsAsync(hostingLog: null);

        Assert.Equal(3, seen.Count);
        Assert.All(seen, activity => Assert.Null(activity));
    }

    [Fact]
    public async Task Turning_the_hosting_log_on_brings_the_activity_back()
    {
        var seen = await ActivitiesOfProductRequestsAsync(hostingLog: "Information");

        Assert.Equal(3, seen.Count);
        Assert.All(seen, activity => Assert.Equal("Microsoft.AspNetCore.Hosting.HttpRequestIn", activity));
    }

    /// <summary>
    /// The fetch a miss makes answers everyone waiting for the id, so it belongs to no one request's trace: the HTTP
    /// client starts no activity for it (one would carry <c>traceparent</c> to the catalog), even while the hosting
    /// log gives the request that started it an activity of its own.
    /// </summary>
    [Theory]
    [InlineData(null)]
    [InlineData("Information")]
    public async Task A_miss_fetches_from_the_catalog_with_no_trace_context(string? hostingLog)
    {
        var traceHeaders = new List<string>();
        var seen = await ActivitiesOfProductRequestsAsync(hostingLog, async catalog =>
        {
            Assert.Equal(1, await catalog.CallsToEventuallyAsync("/products/SKU-1", 1, TimeSpan.FromSeconds(10)));
            traceHeaders.AddRange(catalog.LogEntries.Where(e => e.RequestMessage?.Path == "/products/SKU-1")
                .SelectMany(e => e.RequestMessage!.Headers?.Keys ?? [])
                .Where(name => name.Equals("traceparent", StringComparison.OrdinalIgnoreCase) || name.Equals("Request-Id", StringComparison.OrdinalIgnoreCase)));
        });

        Assert.Equal(hostingLog is null ? null : "Microsoft.AspNetCore.Hosting.HttpRequestIn", seen[0]);
        Assert.Empty(traceHeaders);
    }

    /// <summary>The current activity's name as each of a miss, a hit and a Bloom reject entered the pipeline.</summary>
    private static async Task<List<string?>> ActivitiesOfProductRequestsAsync(string? hostingLog, Func<WireMockServer, Task>? thenAtTheCatalog = null)
    {
        var seen = new ConcurrentQueue<string?>();
        var catalog = Upstream.StartCatalog();
        try
        {
            catalog.StubProduct("SKU-1");
            var builder = Gateways.Build().WithUpstream(catalog.Url!).WithIds(["SKU-1"])
                .WithServices(services => services.AddSingleton<IStartupFilter>(new FrontMiddleware(seen)));
            if (hostingLog is not null)
            {
                builder = builder.WithSetting("Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics", hostingLog);
            }

            await using var gateway = builder.InProcess();
            using var client = await gateway.CreateReadyClientAsync();
            foreach (var (path, source) in new[] { ("/products/SKU-1", "upstream"), ("/products/SKU-1", "cache"), ("/products/NOPE-1", "bloom") })
            {
                using var response = await client.GetAsync(path);
                Assert.Equal(source, response.Source());
            }

            if (thenAtTheCatalog is not null)
            {
                await thenAtTheCatalog(catalog);
            }

            return [.. seen];
        }
        finally
        {
            catalog.Stop();
        }
    }

    private sealed class FrontMiddleware(ConcurrentQueue<string?> seen) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, following) =>
            {
                if (context.Request.Path.StartsWithSegments("/products", StringComparison.Ordinal))
                {
                    seen.Enqueue(Activity.Current?.OperationName);
                }

                return following(context);
            });
            next(app);
        };
    }
}
