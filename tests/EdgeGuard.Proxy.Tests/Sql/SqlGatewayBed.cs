using System.Diagnostics;
using System.Net;
using System.Text.Json;
using EdgeGuard.Proxy.Filtering;
using EdgeGuard.Proxy.Observability;
using EdgeGuard.Proxy.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using EdgeGuard.Proxy.Filtering.Sources;

namespace EdgeGuard.Proxy.Tests.Sql;

/// <summary>
/// The real gateway (in a test host) whose only id source is the catalog's database, in front of a WireMock
/// stand-in of a catalog API that has no id listing: it answers <c>GET /products/{id}</c> for the ids the tests
/// use (<c>SKU-</c>, <c>NEW-</c>, <c>DOWN-</c>... prefixes) and nothing else.
/// </summary>
public sealed class SqlGatewayBed : IAsyncDisposable
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    private SqlGatewayBed(WireMockServer upstream, GatewayFactory gateway, HttpClient client)
    {
        Upstream = upstream;
        Gateway = gateway;
        Client = client;
    }

    public WireMockServer Upstream { get; }

    public GatewayFactory Gateway { get; }

    public HttpClient Client { get; }

    public ProductFilter Filter => Gateway.Services.GetRequiredService<ProductFilter>();

    public IdSourceHealth.Source SqlPolls => Gateway.Services.GetRequiredService<IdSourceHealth>().For("sql");

    /// <summary>Settings for a gateway reading ids from the database only (no products file, no catalog listing).</summary>
    public static Dictionary<string, string?> Settings(string provider, string connectionString, string incrementalQuery) => new()
    {
        ["PRODUCTS_FILE"] = "",
        ["EdgeGuard:Bloom:LoadFromCatalog"] = "false",
        ["EdgeGuard:Bloom:Sql:Provider"] = provider,
        ["EDGEGUARD_IDS_DB"] = connectionString,
        ["EdgeGuard:Bloom:Sql:Query"] = SqlSources.Query,
        ["EdgeGuard:Bloom:Sql:IncrementalQuery"] = incrementalQuery,
        ["EdgeGuard:Bloom:Sql:PollInterval"] = PollInterval.ToString("c"),
        ["EdgeGuard:Bloom:MaxRetryDelay"] = "00:00:01",
    };

    /// <summary>Starts the gateway; with <paramref name="waitUntilReady"/> returns once its filter has loaded.</summary>
    public static async Task<SqlGatewayBed> StartAsync(Dictionary<string, string?> settings, bool waitUntilReady = true)
    {
        var upstream = Infrastructure.Upstream.StartCatalog();
        upstream.Given(Request.Create().WithPath(new RegexMatcher(@"^/products/(SKU|NEW|DOWN|LATE|EARLY)-[A-Za-z0-9-]+$")).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithBody("""{"id":"{{request.PathSegments.[1]}}","name":"A product","price":12.5}""").WithTransformer());
        var gateway = new GatewayFactory(upstream.Url!, [], settings);
        var client = waitUntilReady ? await gateway.CreateReadyClientAsync() : gateway.CreateClient();
        return new SqlGatewayBed(upstream, gateway, client);
    }

    public async Task<(HttpStatusCode Status, string Source)> GetAsync(string id)
    {
        using var response = await Client.GetAsync("/products/" + id);
        return (response.StatusCode, response.Source());
    }

    public async Task<(HttpStatusCode Status, string Body)> ReadinessAsync()
    {
        using var response = await Client.GetAsync("/health/ready");
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public async Task<long> CurrentItemsAsync()
    {
        using var stats = JsonDocument.Parse(await Client.GetStringAsync("/bloom/stats"));
        return stats.RootElement.GetProperty("current_items").GetInt64();
    }

    /// <summary>Waits until the poller has caught up once (its first poll reads the whole table).</summary>
    public Task WaitForFirstPollAsync() =>
        Until(() => Task.FromResult(SqlPolls.LastSuccess is not null), TimeSpan.FromSeconds(30), "the first poll of the SQL source did not complete");

    /// <summary>Waits until readiness is 200 and says <paramref name="status"/>.</summary>
    public async Task WaitForReadinessAsync(string status, TimeSpan timeout)
    {
        (HttpStatusCode Status, string Body) last = default;
        await Until(async () =>
        {
            last = await ReadinessAsync();
            return last.Status == HttpStatusCode.OK && last.Body == status;
        }, timeout, $"/health/ready did not say {status}");
        Assert.Equal(HttpStatusCode.OK, last.Status);
    }

    /// <summary>Requests <paramref name="id"/> until the filter lets it through; returns how long that took.</summary>
    public async Task<TimeSpan> TimeUntilServedAsync(string id, TimeSpan timeout)
    {
        var stopwatch = Stopwatch.StartNew();
        await Until(async () => (await GetAsync(id)).Source != AnswerSource.Bloom, timeout, $"{id} was still rejected by the filter");
        return stopwatch.Elapsed;
    }

    /// <summary>Checks <paramref name="condition"/> every 20 ms until it holds; fails with <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static async Task Until(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (stopwatch.Elapsed > timeout)
            {
                Assert.Fail($"{what} within {timeout.TotalSeconds} s.");
            }

            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Gateway.DisposeAsync();
        Upstream.Stop();
    }
}
