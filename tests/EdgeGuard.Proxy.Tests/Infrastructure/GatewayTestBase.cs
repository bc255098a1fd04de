namespace EdgeGuard.Proxy.Tests.Infrastructure;

/// <summary>
/// One in-process gateway per test, in front of its own WireMock catalog (<see cref="Upstream"/>), as the class
/// configures it (<see cref="Configure"/>). Upstream calls are counted from WireMock's request log.
/// </summary>
public abstract class GatewayTestBase : IAsyncLifetime
{
    protected WireMockServer Upstream { get; } = Infrastructure.Upstream.StartCatalog();

    protected InProcessGateway Gateway { get; private set; } = null!;

    protected HttpClient Client { get; private set; } = null!;

    /// <summary>The class's gateway, in front of <see cref="Upstream"/>: for a test that needs another like it (on Kestrel, one setting changed).</summary>
    protected GatewayBuilder Builder => Configure(Gateways.Build().WithUpstream(Upstream.Url!));

    /// <summary>What the class's gateway is: its ids, settings, services.</summary>
    protected abstract GatewayBuilder Configure(GatewayBuilder gateway);

    /// <summary>Stubs the catalog's answers before the gateway starts.</summary>
    protected virtual void StubUpstream()
    {
    }

    public async Task InitializeAsync()
    {
        StubUpstream();
        Gateway = Builder.InProcess();
        Client = await Gateway.CreateReadyClientAsync();
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Gateway.DisposeAsync();
        Upstream.Stop();
    }
}
