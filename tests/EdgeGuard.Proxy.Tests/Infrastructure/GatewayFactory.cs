using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGuard.Proxy.Tests.Infrastructure;

/// <summary>
/// The real gateway (its own Program, appsettings and YARP routes) in a test host, forwarding over real
/// HTTP to <paramref name="upstreamUrl"/> (a WireMock server or the real catalog). Its Bloom filter is
/// built from a temporary products file holding <paramref name="knownIds"/>; settings can be overridden.
/// </summary>
public sealed class GatewayFactory : WebApplicationFactory<Program>
{
    public const string AdminKey = "test-admin-key";

    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _services;

    public GatewayFactory(string upstreamUrl, IEnumerable<string> knownIds, IDictionary<string, string?>? settings = null, FakeTimeProvider? time = null,
        Action<IServiceCollection>? services = null)
    {
        _services = services;
        Directory = System.IO.Directory.CreateTempSubdirectory("edgeguard-gateway-").FullName;
        ProductsFile = Path.Combine(Directory, "products.txt");
        File.WriteAllLines(ProductsFile, knownIds);
        Time = time;
        _settings = new Dictionary<string, string?>
        {
            ["UPSTREAM_URL"] = upstreamUrl,
            ["PRODUCTS_FILE"] = ProductsFile,
            ["EdgeGuard:Bloom:LoadFromCatalog"] = "false",
            ["EDGEGUARD_ADMIN_KEY"] = AdminKey,
            // This gateway's own snapshot: never another test's.
            ["EdgeGuard:Bloom:SnapshotPath"] = Path.Combine(Directory, "filter.snapshot"),
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }
    }

    public string ProductsFile { get; }

    /// <summary>This gateway's files (products file, local filter snapshot).</summary>
    public string Directory { get; }

    public FakeTimeProvider? Time { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services =>
        {
            if (Time is not null)
            {
                services.AddSingleton<TimeProvider>(Time);
            }

            _services?.Invoke(services);
        });
    }

    /// <summary>A client, once <c>/health/ready</c> says the filter has loaded.</summary>
    public async Task<HttpClient> CreateReadyClientAsync()
    {
        var client = CreateClient();
        await WaitUntilReadyAsync(client);
        return client;
    }

    public static async Task WaitUntilReadyAsync(HttpClient client)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            using var response = await client.GetAsync("/health/ready");
            if (response.IsSuccessStatusCode)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The gateway did not become ready: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }

            await Task.Delay(25);
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
