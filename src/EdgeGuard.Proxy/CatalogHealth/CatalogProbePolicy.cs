using System.Globalization;
using System.Runtime.CompilerServices;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace EdgeGuard.Proxy.CatalogHealth;

/// <summary>
/// The catalog's active health check (YARP policy <c>EdgeGuard.CatalogProbe</c>, probing the cluster's
/// <c>HealthCheck:Active:Path</c>): out of service after the configured number of failed probes in a row (YARP's
/// <c>ConsecutiveFailures</c> rule and setting), and a successful probe ends what the passive check decided, without
/// waiting out its reactivation period, when the probe shows the catalog is back:
/// <list type="bullet">
/// <item>the passive check took it out for failed connections (it was down or restarting): a probe that gets an
/// answer shows it is up;</item>
/// <item>it took it out for timeouts (it hangs): only a probe that failed as well and then succeeds shows it came
/// back; a probe path that answers while product reads hang shows nothing, and the reactivation period stands.</item>
/// </list>
/// </summary>
public sealed class CatalogProbePolicy(
    IOptions<ConsecutiveFailuresHealthPolicyOptions> options,
    IDestinationHealthUpdater health,
    CatalogFailureRatePolicy passive,
    ILogger<CatalogProbePolicy> logger) : IActiveHealthCheckPolicy
{
    public const string PolicyName = "EdgeGuard.CatalogProbe";

    private readonly ConditionalWeakTable<DestinationState, StrongBox<int>> _failuresInARow = [];

    public string Name => PolicyName;

    public void ProbingCompleted(ClusterState cluster, IReadOnlyList<DestinationProbingResult> probingResults)
    {
        if (probingResults.Count == 0)
        {
            return;
        }

        var threshold = Threshold(cluster);
        var states = new NewActiveDestinationHealth[probingResults.Count];
        for (var i = 0; i < probingResults.Count; i++)
        {
            var (destination, response) = (probingResults[i].Destination, probingResults[i].Response);
            var failures = _failuresInARow.GetOrCreateValue(destination);
            if (response is { IsSuccessStatusCode: true })
            {
                var probeSawOutage = Interlocked.Exchange(ref failures.Value, 0) > 0;
                states[i] = new NewActiveDestinationHealth(destination, DestinationHealth.Healthy);
                if (destination.Health.Passive == DestinationHealth.Unhealthy &&
                    (probeSawOutage || passive.LatestFailure(destination) != CatalogFailure.TimedOut))
                {
                    passive.Forget(destination);
                    health.SetPassive(cluster, destination, DestinationHealth.Healthy, TimeSpan.Zero);
                    CatalogHealthLogMessages.BackInService(logger, destination.DestinationId, cluster.ClusterId);
                }
            }
            else
            {
                var inARow = Interlocked.Increment(ref failures.Value);
                states[i] = new NewActiveDestinationHealth(destination, inARow >= threshold ? DestinationHealth.Unhealthy : destination.Health.Active);
            }
        }

        health.SetActive(cluster, states);
    }

    private long Threshold(ClusterState cluster) =>
        cluster.Model.Config.Metadata?.GetValueOrDefault(ConsecutiveFailuresHealthPolicyOptions.ThresholdMetadataName) is { } text &&
        long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var threshold) && threshold > 0
            ? threshold
            : options.Value.DefaultThreshold;
}

internal static partial class CatalogHealthLogMessages
{
    [LoggerMessage(501, LogLevel.Information, "Destination {Destination} of cluster {Cluster} answers its health probe again: back in service at once (the passive check's reactivation period is cut short)")]
    public static partial void BackInService(ILogger logger, string destination, string cluster);
}
