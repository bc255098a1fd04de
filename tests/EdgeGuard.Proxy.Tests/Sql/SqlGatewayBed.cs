namespace EdgeGuard.Proxy.Tests.Sql;

/// <summary>
/// The real gateway (in-process) whose only id source is the catalog's database, in front of a WireMock stand-in of a
/// catalog API that has no id listing: it answers <c>GET /products/{id}</c> for the ids the tests use (<c>SKU-</c>,
/// <c>NEW-</c>, <c>DOWN-</c>... prefixes) and nothing else.
/// </summary>
public sealed class SqlGatewayBed : IAsyncDisposable
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    public required WireMockServer Upstream { get; init; }

    public required InProcessGateway Gateway { get; init; }

    public required HttpClient Client { get; init; }

    public ProductFilter Filter => Gateway.Services.GetRequiredService<ProductFilter>();

    public IdSourceHealth.Source SqlPolls => Gateway.Services.GetRequiredService<IdSourceHealth>().For("sql");

    /// <summary>Starts a gateway reading ids from the database only; with <paramref name="waitUntilReady"/> returns once its filter has loaded.</summary>
    public static async Task<SqlGatewayBed> StartAsync(string provider, string connectionString, string incrementalQuery, bool waitUntilReady = true)
    {
        var upstream = Infrastructure.Upstream.StartCatalog();
        upstream.Given(Request.Create().WithPath(new RegexMatcher(@"^/products/(SKU|NEW|DOWN|LATE|EARLY)-[A-Za-z0-9-]+$")).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithBody("""{"id":"{{request.PathSegments.[1]}}","name":"A product","price":12.5}""").WithTransformer());
        var gateway = Gateways.Build().WithUpstream(upstream.Url!).WithSql(provider, connectionString, SqlSources.Query, incrementalQuery)
            .WithSetting("EdgeGuard:Bloom:Sql:PollInterval", PollInterval.ToString("c"))
            .WithSetting("EdgeGuard:Bloom:MaxRetryDelay", "00:00:01")
            .InProcess();
        var client = waitUntilReady ? await gateway.CreateReadyClientAsync() : gateway.CreateClient();
        return new SqlGatewayBed { Upstream = upstream, Gateway = gateway, Client = client };
    }

    public Task<(HttpStatusCode Status, string Source)> GetAsync(string id) => Client.ReadAsync(id);

    public async Task<long> CurrentItemsAsync() => (await Client.StatsAsync()).GetProperty("current_items").GetInt64();

    /// <summary>Waits until the poller has caught up once (its first poll reads the whole table).</summary>
    public Task WaitForFirstPollAsync() =>
        Eventually.TrueAsync(() => Task.FromResult(SqlPolls.LastSuccess is not null), TimeSpan.FromSeconds(30), "the first poll of the SQL source did not complete");

    /// <summary>Requests <paramref name="id"/> until the filter lets it through; returns how long that took.</summary>
    public async Task<TimeSpan> TimeUntilServedAsync(string id, TimeSpan timeout)
    {
        var stopwatch = Stopwatch.StartNew();
        await Eventually.TrueAsync(async () => (await GetAsync(id)).Source != AnswerSource.Bloom, timeout, $"{id} was still rejected by the filter");
        return stopwatch.Elapsed;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Gateway.DisposeAsync();
        Upstream.Stop();
    }
}
