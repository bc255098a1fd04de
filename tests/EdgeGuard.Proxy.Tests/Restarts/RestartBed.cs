using System.Net;
using System.Text.Json;
using EdgeGuard.Proxy.Tests.Infrastructure;

namespace EdgeGuard.Proxy.Tests.Restarts;

/// <summary>
/// One working directory shared by the gateways a test starts in it, one after the other, as an operator restarts
/// one: standalone, the default snapshot location (<c>data/edgeguard-filter.snapshot</c>, relative to it).
/// </summary>
public sealed class RestartBed : IAsyncDisposable
{
    private readonly List<GatewayProcess> _gateways = [];

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("edgeguard-restart-").FullName;

    /// <summary>Where the gateway keeps its snapshot by default.</summary>
    public string SnapshotFile => Path.Combine(Directory, "data", "edgeguard-filter.snapshot");

    /// <summary>A standalone gateway in <see cref="Directory"/> whose ids come from the catalog at <paramref name="catalogUrl"/> only.</summary>
    public GatewayProcess Start(string catalogUrl, IDictionary<string, string?>? settings = null)
    {
        var environment = new Dictionary<string, string?>
        {
            ["UPSTREAM_URL"] = catalogUrl,
            ["PRODUCTS_FILE"] = "",
            ["EdgeGuard__Bloom__LoadFromCatalog"] = "true",
            ["EdgeGuard__Bloom__MaxRetryDelay"] = "00:00:00.200",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__EdgeGuard.Proxy.Filtering"] = "Information",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            environment[key] = value;
        }

        var gateway = GatewayProcess.Start(environment, workingDirectory: Directory);
        _gateways.Add(gateway);
        return gateway;
    }

    /// <summary>Waits until <paramref name="gateway"/> answers HTTP at all (liveness), ready or not.</summary>
    public static Task WaitUntilServingAsync(GatewayProcess gateway) =>
        Eventually.TrueAsync(async () =>
        {
            using var client = gateway.CreateClient();
            try
            {
                using var response = await client.GetAsync("/health");
                return response.StatusCode == HttpStatusCode.OK;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(30), $"{gateway.Name} never answered /health");

    public static async Task<JsonElement> StatsAsync(HttpClient client) =>
        JsonDocument.Parse(await client.GetStringAsync("/bloom/stats")).RootElement;

    public static async Task<(HttpStatusCode Status, string Source)> ReadAsync(HttpClient client, string id)
    {
        using var response = await client.GetAsync($"/products/{id}");
        return (response.StatusCode, response.Source());
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var gateway in _gateways)
        {
            await gateway.DisposeAsync();
        }

        TemporaryDirectory.Delete(Directory);
    }
}
