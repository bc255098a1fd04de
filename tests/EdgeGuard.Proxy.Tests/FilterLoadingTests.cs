namespace EdgeGuard.Proxy.Tests;

/// <summary>Loading and reloading the filter never rejects an id that exists.</summary>
public sealed class FilterLoadingTests : IAsyncDisposable
{
    private readonly WireMockServer _upstream = Upstream.StartCatalog();

    private GatewayBuilder Gateway => Gateways.Build().WithUpstream(_upstream.Url!);

    public ValueTask DisposeAsync()
    {
        _upstream.Stop();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Until_the_filter_has_loaded_nothing_is_rejected_and_readiness_is_503()
    {
        _upstream.Given(Request.Create().WithPath("/products/ids").UsingGet()).AtPriority(1).RespondWith(Response.Create().WithStatusCode(503));
        _upstream.Given(Request.Create().WithPath("/products/EARLY-1").UsingGet()).RespondWith(Response.Create().WithStatusCode(200).WithBody("{}"));
        await using var gateway = Gateway.LoadingFromCatalog().WithSetting("EdgeGuard:Bloom:MaxRetryDelay", "00:00:00.050").InProcess();
        using var client = gateway.CreateClient();

        using var notReady = await client.GetAsync("/health/ready");
        using var stats = await client.GetAsync("/bloom/stats");
        using var early = await client.GetAsync("/products/EARLY-1");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        Assert.False(JsonDocument.Parse(await stats.Content.ReadAsStringAsync()).RootElement.GetProperty("ready").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, early.StatusCode);
        Assert.Equal("upstream", early.Source());

        _upstream.Given(Request.Create().WithPath("/products/ids").UsingGet()).AtPriority(0)
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "text/plain").WithBody("EARLY-1\nLATE-1\nnot valid!\n"));
        await client.WaitUntilReadyAsync();
        using var unknown = await client.GetAsync("/products/NEVER-SEEN-3");

        Assert.Equal("bloom", unknown.Source());
        Assert.True(_upstream.CallsTo("/products/ids") >= 2, "the failed first load was retried");
        var loaded = JsonDocument.Parse(await client.GetStringAsync("/bloom/stats")).RootElement;
        Assert.Equal(2, loaded.GetProperty("current_items").GetInt64());
        Assert.True(loaded.GetProperty("ready").GetBoolean());
    }

    [Fact]
    public async Task Reload_requires_the_admin_key()
    {
        await using var gateway = Gateway.WithIds(["SKU-1"]).InProcess();
        using var client = await gateway.CreateReadyClientAsync();
        await using var keyless = Gateway.WithIds(["SKU-1"]).WithSetting("EDGEGUARD_ADMIN_KEY", "").InProcess();
        using var keylessClient = await keyless.CreateReadyClientAsync();

        using var without = await client.PostAsync("/bloom/reload", null);
        using var wrong = await client.SendAsync(ReloadRequest("not-the-key"));
        using var disabled = await keylessClient.SendAsync(ReloadRequest("anything"));

        Assert.Equal(HttpStatusCode.Unauthorized, without.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal("application/problem+json", wrong.MediaType());
        Assert.Equal(HttpStatusCode.Forbidden, disabled.StatusCode);
    }

    [Fact]
    public async Task Reload_picks_up_new_ids_and_keeps_those_created_through_the_gateway()
    {
        _upstream.Given(Request.Create().WithPath("/products").UsingPost()).RespondWith(Response.Create().WithStatusCode(201));
        await using var gateway = Gateway.WithIds(["SKU-1"]).InProcess();
        using var client = await gateway.CreateReadyClientAsync();
        using var created = await client.PostAsync("/products", new StringContent("""{"id":"VIA-API-1","name":"n","price":1}""", Encoding.UTF8, "application/json"));
        using var beforeReload = await client.GetAsync("/products/FROM-FILE-2");
        await File.AppendAllLinesAsync(gateway.ProductsFile, ["FROM-FILE-2"]);

        using var reload = await client.SendAsync(ReloadRequest(Gateways.AdminKey));
        using var fromFile = await client.GetAsync("/products/FROM-FILE-2");
        using var viaApi = await client.GetAsync("/products/VIA-API-1");
        using var original = await client.GetAsync("/products/SKU-1");

        Assert.Equal("bloom", beforeReload.Source());
        Assert.Equal(HttpStatusCode.OK, reload.StatusCode);
        Assert.True(JsonDocument.Parse(await reload.Content.ReadAsStringAsync()).RootElement.GetProperty("stats").GetProperty("ready").GetBoolean());
        Assert.NotEqual("bloom", fromFile.Source());
        Assert.NotEqual("bloom", viaApi.Source());
        Assert.NotEqual("bloom", original.Source());
    }

    [Fact]
    public async Task Failed_reload_keeps_the_filter_in_use()
    {
        _upstream.Given(Request.Create().WithPath("/products/ids").UsingGet()).AtPriority(1).RespondWith(Response.Create().WithStatusCode(200).WithBody("CAT-1\n"));
        await using var gateway = Gateway.WithIds([]).LoadingFromCatalog().InProcess();
        using var client = await gateway.CreateReadyClientAsync();
        _upstream.Given(Request.Create().WithPath("/products/ids").UsingGet()).AtPriority(0).RespondWith(Response.Create().WithStatusCode(500));

        using var reload = await client.SendAsync(ReloadRequest(Gateways.AdminKey));
        using var known = await client.GetAsync("/products/CAT-1");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, reload.StatusCode);
        Assert.Equal("application/problem+json", reload.MediaType());
        Assert.NotEqual("bloom", known.Source());
    }

    [Fact]
    public async Task Stats_report_the_size_in_use_and_the_rates_of_the_default_blocked_layout()
    {
        var stats = await StatsOfThreeIdsAsync(layout: null);

        // 19,466 blocks of 512 bits, 6 bits per id; the rates by the blocked layout's formula (the standard
        // one would say 0.856 % for this m and k).
        Assert.Equal("blocked", stats.GetProperty("layout").GetString());
        Assert.Equal(9_966_592, stats.GetProperty("bit_array_size").GetInt64());
        Assert.Equal(6, stats.GetProperty("hash_function_count").GetInt32());
        Assert.Equal(0.009799699281837734, stats.GetProperty("actual_false_positive_rate").GetDouble(), 1e-12);
        Assert.Equal(BlockedBloomFilterMath.FalsePositiveRate(3, 9_966_592, 6), stats.GetProperty("estimated_false_positive_rate").GetDouble());
        Assert.Equal(9_966_592 / 8, stats.GetProperty("memory_bytes").GetInt64());
        Assert.InRange(stats.GetProperty("fill_ratio").GetDouble(), 1.0 / 9_966_592, 18.0 / 9_966_592);
    }

    [Fact]
    public async Task Stats_report_the_size_in_use_and_the_rates_of_the_standard_layout()
    {
        var stats = await StatsOfThreeIdsAsync("standard");

        Assert.Equal("standard", stats.GetProperty("layout").GetString());
        Assert.Equal(9_592_960, stats.GetProperty("bit_array_size").GetInt64());
        Assert.Equal(7, stats.GetProperty("hash_function_count").GetInt32());
        var actual = stats.GetProperty("actual_false_positive_rate").GetDouble();
        Assert.InRange(actual, 0.0099, 0.01);
        Assert.Equal(Math.Pow(1 - Math.Exp(-7.0 * 1_000_000 / 9_592_960), 7), actual, 1e-12);
        Assert.Equal(Math.Pow(1 - Math.Exp(-7.0 * 3 / 9_592_960), 7), stats.GetProperty("estimated_false_positive_rate").GetDouble(), 1e-20);
        Assert.InRange(stats.GetProperty("memory_bytes").GetInt64(), 9_592_960 / 8, 9_592_960 / 8 + 1024);
        Assert.InRange(stats.GetProperty("fill_ratio").GetDouble(), 1.0 / 9_592_960, 21.0 / 9_592_960);
    }

    /// <summary>
    /// The stats of a ready gateway whose filter holds three ids, laid out as <paramref name="layout"/> says (null: the
    /// default), with what every layout reports alike checked: the configured size and rate, the count, readiness.
    /// </summary>
    private async Task<JsonElement> StatsOfThreeIdsAsync(string? layout)
    {
        await using var gateway = Gateway.WithIds(["A-1", "A-2", "A-3"]).WithSetting("EdgeGuard:Bloom:Layout", layout).InProcess();
        using var client = await gateway.CreateReadyClientAsync();
        var stats = await client.StatsAsync();
        Assert.Equal(1_000_000, stats.GetProperty("expected_items").GetInt64());
        Assert.Equal(0.01, stats.GetProperty("false_positive_rate").GetDouble());
        Assert.Equal(3, stats.GetProperty("current_items").GetInt64());
        Assert.True(stats.GetProperty("ready").GetBoolean());
        return stats;
    }

    private static HttpRequestMessage ReloadRequest(string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/bloom/reload");
        request.Headers.Add("X-Admin-Key", key);
        return request;
    }
}
