namespace EdgeGuard.Testing.Gateways;

/// <summary>
/// The real catalog (src/CatalogBackend) as a process of its own on a loopback port, seeded with the given ids into a
/// SQLite database in a temporary directory: it can be killed and started again on the same port with the same data
/// (an outage and its end, as an operator sees them).
/// </summary>
public sealed class CatalogProcess : HttpServerProcess
{
    private CatalogProcess(int port) : base(port, NewDirectory("edgeguard-catalog-process-"))
    {
    }

    public override string Name => $"the catalog on port {Port}";

    /// <summary>The catalog built in the same configuration as the tests.</summary>
    public static string CatalogDll
    {
        get
        {
            var dll = Path.Combine(Repository.Root, "src", "CatalogBackend", "bin", Repository.Configuration, "net10.0", "CatalogBackend.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException($"The catalog is not built at {dll}; build the solution first (test.sh does).", dll);
        }
    }

    /// <summary>Starts a catalog holding <paramref name="ids"/> and waits until it reports healthy (seeded).</summary>
    public static async Task<CatalogProcess> StartAsync(IEnumerable<string> ids, int? port = null)
    {
        var catalog = new CatalogProcess(port ?? LoopbackPorts.Free());
        await File.WriteAllLinesAsync(Path.Combine(catalog.Directory, "products.txt"), ids);
        try
        {
            await catalog.StartAsync();
            return catalog;
        }
        catch
        {
            await catalog.DisposeAsync();
            throw;
        }
    }

    protected override TimeSpan StartTimeout => TimeSpan.FromSeconds(60);

    protected override string HealthPath => "/health";

    protected override ProcessCommand Command() => new("dotnet", [CatalogDll, "--urls", Url])
    {
        WorkingDirectory = Directory,
        RemoveInherited = name => name.StartsWith("ASPNETCORE_", StringComparison.Ordinal) || name is "PRODUCTS_FILE" or "CATALOG_DB",
        Environment = new Dictionary<string, string?>
        {
            ["PRODUCTS_FILE"] = Path.Combine(Directory, "products.txt"),
            ["CATALOG_DB"] = Path.Combine(Directory, "products.db"),
            ["DOTNET_NOLOGO"] = "1",
            ["Logging__LogLevel__Default"] = "Warning",
        },
    };
}
