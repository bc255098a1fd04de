namespace EdgeGuard.Proxy.Dashboard;

/// <summary>Log events of the dashboard (event ids 400-499).</summary>
internal static partial class DashboardLogMessages
{
    [LoggerMessage(401, LogLevel.Warning, "The dashboard could not read the gateway's metrics from the Prometheus exporter; it shows its last sample ({Suppressed} more like it were not logged)")]
    public static partial void ScrapeFailed(ILogger logger, long suppressed);
}
