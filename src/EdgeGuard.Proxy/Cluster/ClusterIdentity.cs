using EdgeGuard.Proxy.Configuration;

namespace EdgeGuard.Proxy.Cluster;

/// <summary>This instance's id in its cluster: <c>EDGEGUARD_INSTANCE_ID</c>, else host name and listening port.</summary>
public sealed class ClusterIdentity(IOptions<EdgeGuardOptions> options, IConfiguration configuration)
{
    private readonly Lazy<string> _id = new(() => options.Value.Cluster.InstanceId is { Length: > 0 } configured
        ? configured
        : $"{Environment.MachineName}:{PortOf(configuration[WebHostDefaults.ServerUrlsKey]) ?? Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)}");

    public string Id => _id.Value;

    private static string? PortOf(string? urls)
    {
        foreach (var url in (urls ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = url.LastIndexOf(':');
            if (colon > 0 && int.TryParse(url[(colon + 1)..].TrimEnd('/'), out var port) && port > 0)
            {
                return port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return null;
    }
}
