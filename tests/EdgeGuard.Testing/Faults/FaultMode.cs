namespace EdgeGuard.Testing.Faults;

/// <summary>What a <see cref="FaultProxy"/> does with the bytes of its connections.</summary>
public enum FaultMode
{
    /// <summary>Every byte is forwarded as it comes.</summary>
    Pass,

    /// <summary>
    /// A partition: every byte, in both directions, is held silently; connections stay open, new ones are accepted
    /// (and connect to the target only when the hold ends); nothing is refused, nothing is delivered.
    /// </summary>
    Hold,

    /// <summary>Every byte is delivered a fixed latency after it came, plus random stalls (<see cref="DelayFault"/>).</summary>
    Delay,

    /// <summary>Every connection is reset (RST); new ones are accepted and reset at once.</summary>
    Reset,
}

/// <summary>What becomes of held bytes when a hold ends.</summary>
public enum HeldBytes
{
    /// <summary>They are delivered, in order, and the connections go on: a partition that healed before TCP gave up.</summary>
    Deliver,

    /// <summary>
    /// They are dropped. A TCP stream cannot lose bytes in its middle and go on, so every connection that had bytes
    /// held is reset; connections that had none go on.
    /// </summary>
    Drop,
}

/// <summary>Which way of a connection a fault applies to.</summary>
[Flags]
public enum FaultDirection
{
    /// <summary>From the client (who connected to the proxy) to the target.</summary>
    Upstream = 1,

    /// <summary>From the target back to the client.</summary>
    Downstream = 2,

    Both = Upstream | Downstream,
}
