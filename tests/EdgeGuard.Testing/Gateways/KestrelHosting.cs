using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeGuard.Testing.Gateways;

/// <summary>An app under <see cref="WebApplicationFactory{TEntryPoint}"/> on real Kestrel, for what needs real connections.</summary>
public static class KestrelHosting
{
    /// <summary>Starts the app on Kestrel on a free loopback port; where it serves (<c>http://127.0.0.1:port</c>).</summary>
    public static string StartOnLoopback<TEntryPoint>(this WebApplicationFactory<TEntryPoint> factory) where TEntryPoint : class
    {
        factory.UseKestrel(0);
        factory.StartServer();
        var address = factory.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        // A client bound to an IPv4 loopback address must connect to one.
        return new UriBuilder(address) { Host = "127.0.0.1" }.Uri.GetLeftPart(UriPartial.Authority);
    }
}
