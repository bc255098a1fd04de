using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;

namespace EdgeGuard.Proxy.Tests.Infrastructure;

/// <summary>
/// The real gateway (its own Program, appsettings and YARP routes) in this test process, as a
/// <see cref="GatewayBuilder"/> describes it: in a test host (<see cref="InProcessGateways.InProcess"/>), or on real
/// Kestrel on a loopback port (<see cref="InProcessGateways.OnKestrelAsync"/>). It forwards over real HTTP.
/// </summary>
public sealed class InProcessGateway : WebApplicationFactory<Program>
{
    private readonly GatewayFiles _files;
    private readonly IReadOnlyDictionary<string, string?> _settings;
    private readonly GatewayBuilder _builder;
    private readonly List<HttpClient> _clients = [];

    internal InProcessGateway(GatewayBuilder builder)
    {
        if (builder.WorkingDirectory is not null)
        {
            throw new InvalidOperationException("InDirectory is for gateway processes: an in-process gateway runs in the test's directory.");
        }

        _builder = builder;
        _files = builder.CreateFiles();
        _settings = builder.Configuration(_files);
    }

    /// <summary>The gateway's products file; a test may append ids to it before a reload.</summary>
    public string ProductsFile => _files.ProductsFile;

    /// <summary>Where a client reaches it: Kestrel's loopback address, or the test host's.</summary>
    public Uri Address { get; private set; } = new("http://localhost");

    /// <summary>A client, once <c>/health/ready</c> says the filter has loaded.</summary>
    public async Task<HttpClient> CreateReadyClientAsync()
    {
        var client = CreateClient();
        await client.WaitUntilReadyAsync();
        return client;
    }

    /// <summary>On Kestrel: a client whose connections come from <paramref name="localAddress"/> (127.x.y.z), disposed with the gateway.</summary>
    public HttpClient ClientFrom(string localAddress)
    {
        var client = LoopbackClient.From(localAddress, Address);
        _clients.Add(client);
        return client;
    }

    /// <summary>A counter the gateway publishes on <c>/metrics</c> (from its start, at 0): a missing one fails the test.</summary>
    public async Task<long> CounterAsync(string name)
    {
        using var client = CreateClient();
        var value = (await ScrapedMetrics.ReadAsync(client)).Value(name);
        Assert.True(value is not null, $"{name} is not on /metrics");
        return (long)value.Value;
    }

    internal async Task StartOnKestrelAsync()
    {
        Address = new Uri(this.StartOnLoopback());
        using var client = new HttpClient { BaseAddress = Address };
        await client.WaitUntilReadyAsync();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services =>
        {
            if (_builder.Time is { } time)
            {
                services.AddSingleton(time);
            }

            foreach (var replace in _builder.Services)
            {
                replace(services);
            }
        });
    }

    protected override void Dispose(bool disposing)
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        base.Dispose(disposing);
        _files.Dispose();
    }
}

/// <summary>The in-process ends of <see cref="GatewayBuilder"/> (they need the gateway's own <c>Program</c>).</summary>
public static class InProcessGateways
{
    /// <summary>The gateway in a test host: no port, its clients talk to it in memory. Started by its first client.</summary>
    public static InProcessGateway InProcess(this GatewayBuilder gateway) => new(gateway);

    /// <summary>The gateway on real Kestrel on a loopback port (real connections: remote addresses, raw bytes, a browser), started and ready.</summary>
    public static async Task<InProcessGateway> OnKestrelAsync(this GatewayBuilder gateway)
    {
        var started = new InProcessGateway(gateway);
        try
        {
            await started.StartOnKestrelAsync();
            return started;
        }
        catch
        {
            await started.DisposeAsync();
            throw;
        }
    }
}
