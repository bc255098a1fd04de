using Microsoft.Playwright;

namespace EdgeGuard.Proxy.Tests.Dashboard;

/// <summary>
/// <c>/dashboard</c> as an operator sees it: the real gateway on a real port in front of the real catalog, a small
/// attack (random missing ids, some real ones, a few invalid ones), and the page opened in the system's Chromium
/// (Playwright, headless): the charts get points, the numbers move with the traffic, nothing fails in the console,
/// and it still fits a narrow window. Screenshots go to the test results directory.
/// </summary>
[Integration]
public sealed class DashboardBrowserTests : IAsyncLifetime
{
    private const string ChromiumPath = "/usr/bin/chromium";
    private static readonly string[] ChromiumArgs =
        ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

    private static readonly string[] Ids = [.. Enumerable.Range(1, 200).Select(i => $"DASH-{i:0000}")];

    private CatalogServer _catalog = null!;
    private InProcessGateway _gateway = null!;
    private HttpClient _client = null!;
    private Uri _url = null!;

    public async Task InitializeAsync()
    {
        _catalog = await CatalogServer.StartAsync(Ids);
        // A real port, so a real browser can reach the gateway.
        _gateway = await Gateways.Build().WithUpstream(_catalog.Url).WithIds(Ids).OnKestrelAsync();
        _url = _gateway.Address;
        _client = _gateway.CreateClient();
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _catalog.DisposeAsync();
    }

    [Fact]
    public async Task The_dashboard_draws_the_attack_and_moves_with_the_traffic()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchChromiumAsync(playwright);
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1100 } });
        var problems = new ConcurrentQueue<string>();
        page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning")
            {
                problems.Enqueue($"console {message.Type}: {message.Text}");
            }
        };
        page.PageError += (_, error) => problems.Enqueue($"page error: {error}");
        page.RequestFailed += (_, request) => problems.Enqueue($"request failed: {request.Url} ({request.Failure})");
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                problems.Enqueue($"HTTP {response.Status}: {response.Url}");
            }
        };

        var opened = await page.GotoAsync(new Uri(_url, "/dashboard").ToString());
        Assert.Equal((int)HttpStatusCode.OK, opened!.Status);
        await page.WaitForFunctionAsync("() => window.edgeguardDashboard && window.edgeguardDashboard.updates >= 1", null, new() { Timeout = 20_000 });

        // The first wave: the page is open, samples about once a second, and sees it arrive.
        var first = await AttackAsync(missing: 300, real: 60, invalid: 5, TimeSpan.FromSeconds(3));
        await WaitForValueAsync(page, "#avoided-total", atLeast: first.Avoided);
        await page.WaitForFunctionAsync("() => window.edgeguardDashboard.charts.rates.data[0].length >= 3", null, new() { Timeout = 20_000 });

        var avoidedBefore = await ValueAsync(page, "#avoided-total");
        var missingBefore = await ValueAsync(page, "#fp-sample");
        var pointsBefore = await page.EvaluateAsync<int>("() => window.edgeguardDashboard.charts.rates.data[0].length");

        // The second wave: the numbers move by at least what the client saw avoided.
        var second = await AttackAsync(missing: 300, real: 60, invalid: 5, TimeSpan.FromSeconds(3));
        await WaitForValueAsync(page, "#avoided-total", atLeast: avoidedBefore + second.Avoided);
        await WaitForValueAsync(page, "#fp-sample", atLeast: missingBefore + second.Bloom);
        Assert.True(await page.EvaluateAsync<int>("() => window.edgeguardDashboard.charts.rates.data[0].length") > pointsBefore, "the rates chart got no new point");

        // Points with values in both charts; the Bloom filter's band carries the attack.
        Assert.True(await page.EvaluateAsync<bool>("() => window.edgeguardDashboard.charts.rates.data[1].some(v => v > 0)"), "the Bloom band of the rates chart is empty");
        Assert.True(await page.EvaluateAsync<bool>("() => window.edgeguardDashboard.charts.shield.data[1].some(v => v !== null)"), "the shield chart has no false-positive point");
        Assert.True(await page.EvaluateAsync<bool>("() => window.edgeguardDashboard.last.history.rates.bloom.some(v => v > 0)"));

        // 200 ids in a filter sized for a million: nothing the attack sends gets through, so the catalog is shielded.
        Assert.Equal("holding", await page.GetAttributeAsync("#verdict", "data-verdict"));
        Assert.Equal("HOLDING", await page.InnerTextAsync("#verdict-word"));
        Assert.Equal(300, second.Bloom); // every missing id was rejected at the edge
        Assert.Equal("yes", await page.InnerTextAsync("#filter-ready"));
        Assert.Equal(Ids.Length, await ValueAsync(page, "#filter-items"));
        // The filter's bytes, as /bloom/stats reports them: a million-id blocked filter is 1,245,824 bytes, "1.19 MiB".
        var stats = System.Text.Json.JsonDocument.Parse(await _client.GetStringAsync("/bloom/stats")).RootElement;
        Assert.Equal(stats.GetProperty("memory_bytes").GetInt64(), await ValueAsync(page, "#filter-memory"));
        Assert.Equal("1.19 MiB", await page.InnerTextAsync("#filter-memory"));
        Assert.Contains("ms", await page.InnerTextAsync("#latency-rows"), StringComparison.Ordinal);
        Assert.Contains("bloom", await page.InnerTextAsync("#latency-rows"), StringComparison.Ordinal);

        var results = TestArtifacts.Directory("dashboard");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(results, "dashboard-wide.png"), FullPage = true });

        // A narrow window (a phone): everything stacks, nothing needs a horizontal scroll.
        await page.SetViewportSizeAsync(390, 844);
        var updates = await page.EvaluateAsync<int>("() => window.edgeguardDashboard.updates");
        await page.WaitForFunctionAsync($"() => window.edgeguardDashboard.updates > {updates}", null, new() { Timeout = 20_000 });
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth + 1"),
            $"the page is wider than a narrow window: {await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth")} px");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(results, "dashboard-narrow.png"), FullPage = true });

        Assert.True(problems.IsEmpty, "the page reported problems:" + Environment.NewLine + string.Join(Environment.NewLine, problems));
    }

    /// <summary>The system's Chromium; a machine without it fails the test (it never skips).</summary>
    private static async Task<IBrowser> LaunchChromiumAsync(IPlaywright playwright)
    {
        if (!File.Exists(ChromiumPath))
        {
            Assert.Fail($"Chromium is not installed at {ChromiumPath}: install it with `apt-get install chromium` (./test.sh installs it when it is missing).");
        }

        return await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ChromiumPath, Headless = true, Args = ChromiumArgs });
    }

    /// <summary>Sends the wave over about <paramref name="over"/>, four at a time, and counts what answered.</summary>
    private async Task<Wave> AttackAsync(int missing, int real, int invalid, TimeSpan over)
    {
        var paths = new List<string>();
        paths.AddRange(Enumerable.Range(0, missing).Select(_ => $"/products/zzmiss-{Guid.NewGuid():N}"));
        paths.AddRange(Enumerable.Range(0, real).Select(_ => $"/products/{Ids[Random.Shared.Next(20)]}"));
        paths.AddRange(Enumerable.Range(0, invalid).Select(i => $"/products/bad%24id{i}"));
        Random.Shared.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(paths));

        var sources = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var pause = over / Math.Max(1, paths.Count / 4);
        await Parallel.ForEachAsync(paths, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (path, cancellationToken) =>
        {
            using var response = await _client.GetAsync(path, cancellationToken);
            var source = response.StatusCode == HttpStatusCode.BadRequest ? "invalid" : response.Source();
            sources.AddOrUpdate(source, 1, (_, n) => n + 1);
            await Task.Delay(pause, cancellationToken);
        });
        return new Wave(sources);
    }

    private static async Task<double> ValueAsync(IPage page, string selector) =>
        double.TryParse(await page.GetAttributeAsync(selector, "data-value"), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : double.NaN;

    private static async Task WaitForValueAsync(IPage page, string selector, double atLeast)
    {
        try
        {
            await page.WaitForFunctionAsync(
                "([selector, atLeast]) => { const v = parseFloat(document.querySelector(selector).dataset.value); return !isNaN(v) && v >= atLeast; }",
                new object[] { selector, atLeast }, new() { Timeout = 20_000 });
        }
        catch (TimeoutException)
        {
            Assert.Fail($"{selector} did not reach {atLeast} (it shows {await ValueAsync(page, selector)})");
        }
    }

    /// <summary>What answered a wave's requests, by <c>X-EdgeGuard-Source</c> (400s as "invalid").</summary>
    private sealed record Wave(IReadOnlyDictionary<string, int> Sources)
    {
        public int Bloom => Sources.GetValueOrDefault("bloom");

        /// <summary>Answered without a catalog request.</summary>
        public int Avoided => Sources.Where(pair => pair.Key != "upstream").Sum(pair => pair.Value);
    }
}
