namespace EdgeGuard.Proxy.Observability;

/// <summary>
/// Makes every feature's gauges (<see cref="IGauges"/>) when the host starts, and publishes the counters' zeros once it
/// has started (measurements made before reach no exporter: <see cref="EdgeGuardMetrics.PublishZeros"/>).
/// </summary>
internal sealed class MetricsPublication(EdgeGuardMetrics metrics, IEnumerable<IGauges> gauges, IHostApplicationLifetime lifetime) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var set in gauges)
        {
            set.Create(metrics.Meter);
        }

        lifetime.ApplicationStarted.Register(metrics.PublishZeros);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
