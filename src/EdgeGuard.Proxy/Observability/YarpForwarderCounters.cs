using System.Diagnostics.Tracing;

namespace EdgeGuard.Proxy.Observability;

/// <summary>
/// YARP's forwarder counts (requests started, in flight, failed), which YARP 2.3 publishes only as EventCounters of
/// its <c>Yarp.ReverseProxy</c> event source, not on a Meter. Yarp.Telemetry.Consumption, YARP's own bridge, is not
/// served by our package registry; this listener is the part of it the gateway needs: it asks for the counters once a
/// second and keeps their last values for <see cref="ForwarderGauges"/> to export.
/// </summary>
/// <remarks>
/// YARP counts every forward whether or not anyone listens. The source is enabled at <see cref="EventLevel.Critical"/>
/// with no keywords: that makes it publish its counters once a second and write none of its per-request Informational
/// events, so a forwarded request costs nothing more. The counts are the process's (YARP's source is static).
/// </remarks>
public sealed class YarpForwarderCounters : EventListener
{
    private const string SourceName = "Yarp.ReverseProxy";

    private long _started;
    private long _failed;
    private long _current;

    /// <summary>Requests the forwarder started, since the process started.</summary>
    public long Started => Volatile.Read(ref _started);

    /// <summary>Forwards that failed (no answer from the catalog, a client that went away, ...), since the process started.</summary>
    public long Failed => Volatile.Read(ref _failed);

    /// <summary>Forwards in flight.</summary>
    public long Current => Volatile.Read(ref _current);

    /// <summary>Runs from the base constructor for sources that already exist: it must not touch instance state.</summary>
    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == SourceName)
        {
            EnableEvents(eventSource, EventLevel.Critical, EventKeywords.None, new Dictionary<string, string?> { ["EventCounterIntervalSec"] = "1" });
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventName != "EventCounters" || eventData.EventSource.Name != SourceName ||
            eventData.Payload is not [IDictionary<string, object?> counter, ..] ||
            !counter.TryGetValue("Name", out var named) || named is not string name ||
            !counter.TryGetValue("Mean", out var mean) || mean is not double value)
        {
            return;
        }

        // Polling counters (the three below) report their value as the mean over the interval.
        switch (name)
        {
            case "requests-started":
                Volatile.Write(ref _started, (long)value);
                break;
            case "requests-failed":
                Volatile.Write(ref _failed, (long)value);
                break;
            case "current-requests":
                Volatile.Write(ref _current, (long)value);
                break;
        }
    }
}
