using EdgeGuard.Proxy.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeGuard.Proxy.Tests.Budget;

/// <summary>
/// The real gateway on real Kestrel (a budget is per remote address, which only a real connection has), with its
/// clients on distinct loopback addresses: <see cref="Client"/> makes one per address.
/// </summary>
public sealed class BudgetGateway : IAsyncDisposable
{
    private readonly GatewayFactory _factory;
    private readonly List<HttpClient> _clients = [];

    private BudgetGateway(GatewayFactory factory, Uri address)
    {
        _factory = factory;
        Address = address;
    }

    public Uri Address { get; }

    public GatewayFactory Factory => _factory;

    public static async Task<BudgetGateway> StartAsync(string upstreamUrl, IEnumerable<string> knownIds, IDictionary<string, string?> settings)
    {
        var factory = new GatewayFactory(upstreamUrl, knownIds, settings);
        factory.UseKestrel(0);
        factory.StartServer();
        var address = factory.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        // A client bound to an IPv4 loopback address must connect to one.
        var uri = new UriBuilder(address) { Host = "127.0.0.1" }.Uri;
        var gateway = new BudgetGateway(factory, uri);
        await GatewayFactory.WaitUntilReadyAsync(gateway.Client("127.0.0.250"));
        return gateway;
    }

    /// <summary>A client whose connections come from <paramref name="localAddress"/> (127.x.y.z).</summary>
    public HttpClient Client(string localAddress)
    {
        var client = LoopbackClient.From(localAddress, Address);
        _clients.Add(client);
        return client;
    }

    /// <summary>The gateway's <c>edgeguard_budget_rejects_total</c>.</summary>
    public async Task<long> BudgetRejectsAsync() => await CounterAsync("edgeguard_budget_rejects_total");

    /// <summary>A counter the gateway publishes (from its start, at 0): a missing one fails the test.</summary>
    public async Task<long> CounterAsync(string name)
    {
        using var client = LoopbackClient.From("127.0.0.250", Address);
        var value = (await ScrapedMetrics.ReadAsync(client)).Value(name);
        Assert.True(value is not null, $"{name} is not on /metrics");
        return (long)value.Value;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        await _factory.DisposeAsync();
    }
}
