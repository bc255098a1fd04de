namespace EdgeGuard.Proxy.Observability;

/// <summary>Publishes the counters' zeros once the host (and with it the exporters' listener) has started.</summary>
internal sealed class CounterSeeding(EdgeGuardMetrics metrics, IHostApplicationLifetime lifetime) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(metrics.PublishZeros);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
