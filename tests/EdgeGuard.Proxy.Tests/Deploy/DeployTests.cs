using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using EdgeGuard.Proxy.Tests.Infrastructure;
using EdgeGuard.Proxy.Tests.Redis;

namespace EdgeGuard.Proxy.Tests.Deploy;

/// <summary>
/// deploy/: the Prometheus alert rules pass <c>promtool check rules</c> and their unit tests
/// (<c>promtool test rules</c>), every Grafana expression parses, and every metric either of them names is on a real
/// gateway's <c>/metrics</c> (two gateway processes on one Redis in front of the real catalog, after some traffic).
/// </summary>
[Integration]
[Collection(RedisCollection.Name)]
public sealed partial class DeployTests
{
    private const string Promtool = "promtool";
    private static readonly string Rules = Path.Combine(Repository.Root, "deploy", "prometheus", "edgeguard-alerts.yml");
    private static readonly string RuleTests = Path.Combine(Repository.Root, "deploy", "prometheus", "edgeguard-alerts.test.yml");
    private static readonly string Dashboard = Path.Combine(Repository.Root, "deploy", "grafana", "edgeguard-dashboard.json");

    [Fact]
    public async Task The_alert_rules_pass_promtool_check_and_their_unit_tests()
    {
        var check = await RunPromtoolAsync("check", "rules", Rules);
        Assert.True(check.ExitCode == 0, check.Output);
        Assert.Contains("SUCCESS: 7 rules found", check.Output, StringComparison.Ordinal);

        var test = await RunPromtoolAsync("test", "rules", RuleTests);
        Assert.True(test.ExitCode == 0, test.Output);
    }

    [Fact]
    public async Task Every_grafana_expression_parses()
    {
        var expressions = GrafanaExpressions().ToList();
        Assert.True(expressions.Count >= 20, $"only {expressions.Count} expressions in {Dashboard}");

        // promtool parses expressions in rule files: each panel query as a recording rule, with Grafana's variables filled in.
        var file = Path.Combine(Directory.CreateTempSubdirectory("edgeguard-grafana-").FullName, "grafana-expressions.yml");
        var yaml = new StringBuilder("groups:\n  - name: grafana\n    rules:\n");
        for (var i = 0; i < expressions.Count; i++)
        {
            var expr = expressions[i].Replace("$__rate_interval", "1m", StringComparison.Ordinal).Replace("$instance", ".*", StringComparison.Ordinal);
            yaml.Append($"      - record: grafana_panel_query_{i}\n        expr: {JsonSerializer.Serialize(expr)}\n");
        }

        await File.WriteAllTextAsync(file, yaml.ToString());
        var check = await RunPromtoolAsync("check", "rules", file);
        Assert.True(check.ExitCode == 0, check.Output + Environment.NewLine + yaml);
    }

    [Fact]
    public async Task Every_metric_the_rules_and_the_dashboard_name_is_on_the_gateways_metrics()
    {
        var named = MetricNames(await File.ReadAllTextAsync(Rules)).Union(GrafanaExpressions().SelectMany(MetricNames)).ToHashSet(StringComparer.Ordinal);
        Assert.Contains("edgeguard_filter_false_positives_total", named);
        Assert.Contains("http_server_request_duration_seconds_count", named);

        string[] ids = ["DEPLOY-1", "DEPLOY-2", "DEPLOY-3"];
        await using var catalog = await CatalogServer.StartAsync(ids);
        await using var redis = await RedisServer.StartAsync();
        var directory = Directory.CreateTempSubdirectory("edgeguard-deploy-").FullName;
        var products = Path.Combine(directory, "products.txt");
        await File.WriteAllLinesAsync(products, ids);
        Dictionary<string, string?> Environment(string instance) => new()
        {
            ["REDIS_URL"] = redis.Url,
            ["UPSTREAM_URL"] = catalog.Url,
            ["PRODUCTS_FILE"] = products,
            ["EdgeGuard__Bloom__LoadFromCatalog"] = "false",
            ["EdgeGuard__Bloom__SnapshotPath"] = Path.Combine(directory, instance + ".snapshot"),
            ["EDGEGUARD_INSTANCE_ID"] = instance,
            ["Logging__LogLevel__Default"] = "Warning",
        };

        await using var first = GatewayProcess.Start(Environment("deploy-a"));
        await using var second = GatewayProcess.Start(Environment("deploy-b"));
        await first.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
        await second.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
        using var a = new HttpClient { BaseAddress = first.BaseAddress };
        using var b = new HttpClient { BaseAddress = second.BaseAddress };

        // A fetch on one instance fills Redis; the other finds it there (FusionCache's distributed-level hit).
        foreach (var path in new[] { "/products/DEPLOY-1", "/products/DEPLOY-1", "/products/NOPE-1", "/products/bad$id" })
        {
            using (await a.GetAsync(path)) { }
        }

        using (await b.GetAsync("/products/DEPLOY-1")) { }
        using (await b.GetAsync("/products/NOPE-2")) { }

        var exposed = (await ScrapedMetrics.ReadAsync(a)).Names.Union((await ScrapedMetrics.ReadAsync(b)).Names).ToHashSet(StringComparer.Ordinal);
        var missing = named.Where(name => !exposed.Contains(name)).Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0,
            $"named by deploy/ but not on /metrics: {string.Join(", ", missing)}{System.Environment.NewLine}exposed: {string.Join(", ", exposed.Order(StringComparer.Ordinal))}");
    }

    /// <summary>Every <c>expr</c> of every panel in the Grafana dashboard.</summary>
    private static IEnumerable<string> GrafanaExpressions()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Dashboard));
        var found = new List<string>();
        Collect(document.RootElement, found);
        return found;

        static void Collect(JsonElement element, List<string> found)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                    {
                        if (property.Name == "expr" && property.Value.ValueKind == JsonValueKind.String)
                        {
                            found.Add(property.Value.GetString()!);
                        }
                        else
                        {
                            Collect(property.Value, found);
                        }
                    }

                    break;
                case JsonValueKind.Array:
                    foreach (var item in element.EnumerateArray())
                    {
                        Collect(item, found);
                    }

                    break;
            }
        }
    }

    /// <summary>The gateway's, the runtime's, ASP.NET Core's, Kestrel's, the HTTP client's and FusionCache's metric names in an expression.</summary>
    private static IEnumerable<string> MetricNames(string expression) =>
        MetricName().Matches(expression).Select(match => match.Value);

    private static Task<(int ExitCode, string Output)> RunPromtoolAsync(params string[] arguments) =>
        CommandLine.RunAsync(new ProcessCommand(RequiredExecutable.Find(Promtool, "prometheus"), arguments));

    [GeneratedRegex(@"\b(?:edgeguard|http_server|http_client|kestrel|dotnet|fusioncache)_[a-z0-9_]+\b")]
    private static partial Regex MetricName();
}
