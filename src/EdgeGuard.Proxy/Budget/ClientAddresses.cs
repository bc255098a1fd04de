using EdgeGuard.Proxy.Configuration;
using Microsoft.AspNetCore.HttpOverrides;

namespace EdgeGuard.Proxy.Budget;

/// <summary>
/// Who the client is: the connection's remote address, unless the connection comes from a known proxy
/// (<c>EdgeGuard:ClientBudget:KnownProxies</c>, <c>KnownNetworks</c>), whose <c>X-Forwarded-For</c> then names the
/// client. ASP.NET Core's forwarded-headers middleware does the reading; it is added only when some proxy is known,
/// and with nothing trusted by default (the framework would otherwise trust loopback), because a header anyone
/// can send must not let a client pick its own budget.
/// </summary>
public static class ClientAddresses
{
    public static WebApplication UseClientAddresses(this WebApplication app)
    {
        var settings = app.Services.GetRequiredService<IOptions<EdgeGuardOptions>>().Value.ClientBudget;
        if (!settings.TrustsProxies)
        {
            return app;
        }

        var forwarded = new ForwardedHeadersOptions
        {
            // The client's address only: scheme and host stay what the gateway itself was asked for.
            ForwardedHeaders = ForwardedHeaders.XForwardedFor,
            // Read right to left through every known proxy, up to the first address that is not one: that is the
            // client (a chain of known proxies needs no count, and an address a client wrote further left is never read).
            ForwardLimit = null,
        };
        forwarded.KnownProxies.Clear();
        forwarded.KnownIPNetworks.Clear();
        foreach (var proxy in ClientBudgetSettings.Addresses(settings.KnownProxies))
        {
            forwarded.KnownProxies.Add(proxy);
        }

        foreach (var network in ClientBudgetSettings.Networks(settings.KnownNetworks))
        {
            forwarded.KnownIPNetworks.Add(network);
        }

        app.UseForwardedHeaders(forwarded);
        return app;
    }
}
