using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using WireMock.Server;

namespace EdgeGuard.Proxy.Tests.Infrastructure;

/// <summary>
/// One gateway per test, in front of its own WireMock catalog, with a filter built from <see cref="KnownIds"/>.
/// Upstream calls are counted from WireMock's request log.
/// </summary>
public abstract class GatewayTestBase : IAsyncLifetime
{
    protected WireMockServer Upstream { get; } = Infrastructure.Upstream.StartCatalog();

    protected GatewayFactory Gateway { get; private set; } = null!;

    protected HttpClient Client { get; private set; } = null!;

    /// <summary>The ids the gateway's filter is built from.</summary>
    protected abstract IEnumerable<string> KnownIds { get; }

    protected virtual IDictionary<string, string?>? Settings => null;

    protected virtual FakeTimeProvider? Time => null;

    /// <summary>Replaces the gateway's services (after its own registrations).</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    /// <summary>Stubs the catalog's answers before the gateway starts.</summary>
    protected virtual void StubUpstream()
    {
    }

    public async Task InitializeAsync()
    {
        StubUpstream();
        Gateway = new GatewayFactory(Upstream.Url!, KnownIds, Settings, Time, ConfigureServices);
        Client = await Gateway.CreateReadyClientAsync();
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Gateway.DisposeAsync();
        Upstream.Stop();
    }
}
