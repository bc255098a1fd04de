namespace EdgeGuard.Testing.Faults;

/// <summary>What a <see cref="FaultProxy"/> has done so far, for tests to wait on instead of sleeping.</summary>
/// <param name="Accepted">Connections accepted since the start.</param>
/// <param name="Open">Connections open now.</param>
/// <param name="Reset">Connections the proxy reset (a reset fault, dropped held bytes, a target that refused).</param>
/// <param name="Upstream">Bytes from clients to the target.</param>
/// <param name="Downstream">Bytes from the target to clients.</param>
public sealed record FaultProxyCounters(long Accepted, long Open, long Reset, DirectionCounters Upstream, DirectionCounters Downstream)
{
    /// <summary>Bytes read and not yet delivered, both directions (held by a hold, or waiting out a delay).</summary>
    public long BytesHeld => Upstream.Held + Downstream.Held;

    public long BytesForwarded => Upstream.Forwarded + Downstream.Forwarded;

    public override string ToString() =>
        $"accepted {Accepted}, open {Open}, reset {Reset}; upstream {Upstream.Forwarded} forwarded, {Upstream.Held} held; " +
        $"downstream {Downstream.Forwarded} forwarded, {Downstream.Held} held";
}

/// <param name="Forwarded">Bytes delivered.</param>
/// <param name="Held">Bytes read and not yet delivered (on open connections).</param>
public sealed record DirectionCounters(long Forwarded, long Held);
