using System.Runtime.CompilerServices;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace EdgeGuard.Proxy.CatalogHealth;

/// <summary>
/// The catalog's passive health check (YARP policy <c>EdgeGuard.TransportFailureRate</c>): out of service once the
/// share of failed requests (connection failures, timeouts) in the detection window reaches the limit, back after
/// the reactivation period. As YARP's own <c>TransportFailureRate</c>, plus what that one lacks: the window can be
/// forgotten (<see cref="Forget"/>) when a probe shows the catalog answering again, so the outage's failures do not
/// take the catalog out once more on the first request after it came back.
/// </summary>
public sealed class CatalogFailureRatePolicy(IOptions<TransportFailureRateHealthPolicyOptions> options, IDestinationHealthUpdater health, TimeProvider time)
    : IPassiveHealthCheckPolicy
{
    public const string PolicyName = "EdgeGuard.TransportFailureRate";

    private static readonly TimeSpan DefaultReactivationPeriod = TimeSpan.FromSeconds(60);
    private readonly ConditionalWeakTable<DestinationState, FailureWindow> _windows = [];

    public string Name => PolicyName;

    public void RequestProxied(HttpContext context, ClusterState cluster, DestinationState destination)
    {
        var failure = Classify(context);
        var window = _windows.GetOrCreateValue(destination);
        var settings = options.Value;
        bool unhealthy;
        lock (window)
        {
            unhealthy = window.Add(time.GetTimestamp(), time.TimestampFrequency, failure, settings) >= settings.DefaultFailureRateLimit;
        }

        var reactivation = cluster.Model.Config.HealthCheck?.Passive?.ReactivationPeriod ?? DefaultReactivationPeriod;
        health.SetPassive(cluster, destination, unhealthy ? DestinationHealth.Unhealthy : DestinationHealth.Healthy, reactivation);
    }

    /// <summary>What the latest failure of <paramref name="destination"/> was (null: none in the window).</summary>
    public CatalogFailure? LatestFailure(DestinationState destination)
    {
        if (!_windows.TryGetValue(destination, out var window))
        {
            return null;
        }

        lock (window)
        {
            return window.Latest;
        }
    }

    /// <summary>Drops the window's record: the catalog was seen answering after it.</summary>
    public void Forget(DestinationState destination)
    {
        if (_windows.TryGetValue(destination, out var window))
        {
            lock (window)
            {
                window.Clear();
            }
        }
    }

    /// <summary>A failure the catalog is to blame for, as YARP's own policy counts them; a client that went away is not one.</summary>
    private static CatalogFailure? Classify(HttpContext context)
    {
        if (context.Features.Get<IForwarderErrorFeature>() is not { } error || context.RequestAborted.IsCancellationRequested)
        {
            return null;
        }

        return error.Error switch
        {
            ForwarderError.RequestTimedOut => CatalogFailure.TimedOut,
            ForwarderError.Request or ForwarderError.RequestBodyDestination or ForwarderError.ResponseBodyDestination
                or ForwarderError.UpgradeRequestDestination or ForwarderError.UpgradeResponseDestination => CatalogFailure.Refused,
            _ => null,
        };
    }

    /// <summary>Requests and failures per second over the detection window, in a ring of one bucket a second.</summary>
    private sealed class FailureWindow
    {
        private (long Second, int Total, int Failed)[] _buckets = [];

        public CatalogFailure? Latest { get; private set; }

        /// <returns>The failure rate in the window (0 below the minimal count).</returns>
        public double Add(long now, long frequency, CatalogFailure? failure, TransportFailureRateHealthPolicyOptions settings)
        {
            var second = now / frequency;
            var window = Math.Max(1, (int)Math.Ceiling(settings.DetectionWindowSize.TotalSeconds));
            if (_buckets.Length != window)
            {
                _buckets = new (long, int, int)[window];
            }

            ref var bucket = ref _buckets[second % window];
            if (bucket.Second != second)
            {
                bucket = (second, 0, 0);
            }

            bucket.Total++;
            if (failure is { } kind)
            {
                bucket.Failed++;
                Latest = kind;
            }

            long total = 0, failed = 0;
            foreach (var (at, count, failures) in _buckets)
            {
                if (at > second - window)
                {
                    total += count;
                    failed += failures;
                }
            }

            if (failed == 0)
            {
                Latest = null;
            }

            return total < settings.MinimalTotalCountThreshold ? 0 : (double)failed / total;
        }

        public void Clear()
        {
            Array.Clear(_buckets);
            Latest = null;
        }
    }
}

/// <summary>How a request to the catalog failed.</summary>
public enum CatalogFailure
{
    /// <summary>No connection, or it broke: the catalog was down (or restarting).</summary>
    Refused,

    /// <summary>It took longer than the cluster's request timeout: the catalog hangs.</summary>
    TimedOut,
}
