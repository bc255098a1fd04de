namespace EdgeGuard.Testing.Faults;

/// <summary>
/// Latency for <see cref="FaultProxy.DelayAsync"/>: every chunk of bytes is delivered <see cref="Latency"/> after the
/// proxy read it; with probability <see cref="StallProbability"/> a chunk also stalls its direction for a random time up
/// to <see cref="MaxStall"/> (the chunks behind it wait: order is kept). The stalls come from a <see cref="Random"/>
/// seeded with <see cref="Seed"/>, so a run can be repeated. Applied to each direction in <see cref="Directions"/>: a
/// request and its answer are each delayed.
/// </summary>
public sealed record DelayFault(TimeSpan Latency)
{
    public TimeSpan MaxStall { get; init; } = TimeSpan.Zero;

    public double StallProbability { get; init; }

    public int Seed { get; init; }

    public FaultDirection Directions { get; init; } = FaultDirection.Both;

    /// <summary>The stall of each chunk in turn (mostly zero), as the proxy draws them from <see cref="Seed"/>.</summary>
    public IEnumerable<TimeSpan> Stalls()
    {
        var random = new Random(Seed);
        while (true)
        {
            yield return StallProbability > 0 && MaxStall > TimeSpan.Zero && random.NextDouble() < StallProbability
                ? MaxStall * random.NextDouble()
                : TimeSpan.Zero;
        }
    }
}
