namespace EdgeGuard.Proxy.Tests.Restarts;

/// <summary>
/// One working directory shared by the gateway processes a test starts in it, one after the other, as an operator
/// restarts one: standalone, the default snapshot location (<c>data/edgeguard-filter.snapshot</c>, relative to it).
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
        var gateway = Gateways.Build().WithUpstream(catalogUrl).LoadingFromCatalog().InDirectory(Directory)
            .WithSetting("Logging:LogLevel:EdgeGuard.Proxy.Filtering", "Information")
            .WithSettings(settings)
            .AsProcess();
        _gateways.Add(gateway);
        return gateway;
    }

    /// <summary>Runs a gateway (as <see cref="Start"/> does) until it is ready, then stops it as an operator does: it saves its snapshot on the way out.</summary>
    public async Task RunAndStopAsync(string catalogUrl, IDictionary<string, string?>? settings = null)
    {
        var gateway = Start(catalogUrl, settings);
        await gateway.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
        await gateway.StopAsync(TimeSpan.FromSeconds(10));
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

    public async ValueTask DisposeAsync()
    {
        foreach (var gateway in _gateways)
        {
            await gateway.DisposeAsync();
        }

        TemporaryDirectory.Delete(Directory);
    }
}
