using System.Collections.Concurrent;
using System.Diagnostics;
using EdgeGuard.Faults.Checker.History;

namespace EdgeGuard.Faults.Workloads;

/// <summary>
/// Records a run's history: every operation with its start and end on one monotonic clock (milliseconds since the run
/// started) and on the wall clock. Thread-safe; the order of the result is by start.
/// </summary>
public sealed class HistoryRecorder
{
    private readonly long _origin = Stopwatch.GetTimestamp();
    private readonly ConcurrentQueue<Operation> _operations = new();

    /// <summary>A moment on the run's clocks.</summary>
    public readonly record struct Moment(double Milliseconds, DateTimeOffset Wall);

    public Moment Now() => new(Stopwatch.GetElapsedTime(_origin).TotalMilliseconds, DateTimeOffset.UtcNow);

    /// <summary>Records <paramref name="operation"/>, begun at <paramref name="started"/> and ended now.</summary>
    public Operation Record(Moment started, Operation operation)
    {
        var ended = Now();
        var recorded = operation with
        {
            Start = Math.Round(started.Milliseconds, 2),
            End = Math.Round(ended.Milliseconds, 2),
            StartWall = started.Wall,
            EndWall = ended.Wall,
        };
        _operations.Enqueue(recorded);
        return recorded;
    }

    /// <summary>Records an event of the fault schedule that began at <paramref name="started"/> and is in force now.</summary>
    public Operation Event(Moment started, OpKind kind, int? instance, string note) =>
        Record(started, new Operation { Kind = kind, Instance = instance, Note = note });

    public IReadOnlyList<Operation> Operations => [.. _operations.OrderBy(op => op.Start)];
}
