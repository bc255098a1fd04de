using System.Globalization;

namespace EdgeGuard.Proxy.Cluster;

/// <summary>
/// A position in the cluster's filter log: a Redis stream entry id (<c>ms-seq</c>), packed into one long so
/// it can be compared and stored atomically (41 bits of milliseconds last until 2039, 42 until 2109; 21 bits of
/// sequence is two million entries in one millisecond). The same number is a cache entry's commit position
/// (see <c>CommitPositions</c>), so positions compare across every instance of the cluster.
/// </summary>
public readonly record struct LogPosition(long Packed) : IComparable<LogPosition>
{
    private const int SequenceBits = 21;
    private const long MaxSequence = (1L << SequenceBits) - 1;

    public static LogPosition Zero { get; } = new(0);

    public long Milliseconds => Packed >> SequenceBits;

    public long Sequence => Packed & MaxSequence;

    public static LogPosition Of(long milliseconds, long sequence) => new((milliseconds << SequenceBits) | Math.Min(sequence, MaxSequence));

    /// <summary>Parses a stream id (<c>1732540000000-3</c>); <c>0-0</c> and empty are <see cref="Zero"/>.</summary>
    public static LogPosition Parse(string? streamId)
    {
        if (string.IsNullOrEmpty(streamId))
        {
            return Zero;
        }

        var dash = streamId.IndexOf('-', StringComparison.Ordinal);
        var milliseconds = long.Parse(dash < 0 ? streamId : streamId[..dash], CultureInfo.InvariantCulture);
        var sequence = dash < 0 ? 0 : long.Parse(streamId[(dash + 1)..], CultureInfo.InvariantCulture);
        return Of(milliseconds, sequence);
    }

    /// <summary>The stream id, for XREAD and the Lua scripts.</summary>
    public string StreamId => string.Create(CultureInfo.InvariantCulture, $"{Milliseconds}-{Sequence}");

    public int CompareTo(LogPosition other) => Packed.CompareTo(other.Packed);

    public static LogPosition Max(LogPosition left, LogPosition right) => left > right ? left : right;

    public static bool operator <(LogPosition left, LogPosition right) => left.Packed < right.Packed;

    public static bool operator >(LogPosition left, LogPosition right) => left.Packed > right.Packed;

    public static bool operator <=(LogPosition left, LogPosition right) => left.Packed <= right.Packed;

    public static bool operator >=(LogPosition left, LogPosition right) => left.Packed >= right.Packed;

    public override string ToString() => StreamId;
}
