namespace EdgeGuard.Faults.Checker.History;

/// <summary>A span of the run's monotonic clock, in milliseconds (<see cref="To"/> may be infinite: never ended).</summary>
public readonly record struct Span(double From, double To)
{
    /// <summary>Whether an operation from <paramref name="start"/> to <paramref name="end"/> overlaps this span at all.</summary>
    public bool Overlaps(double start, double end) => start <= To && end >= From;
}

/// <summary>
/// The fault schedule as the history records it: when each fault was in force and when it healed, and when each
/// instance was down (killed, until its restart was ready).
/// </summary>
public sealed class Timeline
{
    private Timeline(IReadOnlyList<(Operation Fault, Operation? Heal)> faults, IReadOnlyDictionary<int, IReadOnlyList<Span>> down)
    {
        Faults = faults;
        Down = down;
    }

    /// <summary>Each fault with its heal (null when the history ends before it healed).</summary>
    public IReadOnlyList<(Operation Fault, Operation? Heal)> Faults { get; }

    /// <summary>Per instance, the spans it was down: from its kill to its restart's readiness.</summary>
    public IReadOnlyDictionary<int, IReadOnlyList<Span>> Down { get; }

    /// <summary>The moments the faults healed (their heal's end), in order.</summary>
    public IEnumerable<double> Heals => Faults.Where(pair => pair.Heal is not null).Select(pair => pair.Heal!.End);

    /// <summary>
    /// The spans in which the shield may be down: from each fault's injection to <paramref name="grace"/> after its heal,
    /// and from each instance's kill to <paramref name="grace"/> after it was ready again.
    /// </summary>
    public IReadOnlyList<Span> Disturbed(TimeSpan grace)
    {
        var spans = Faults.Select(pair => new Span(pair.Fault.Start, pair.Heal is { } heal ? heal.End + grace.TotalMilliseconds : double.PositiveInfinity)).ToList();
        spans.AddRange(Down.Values.SelectMany(each => each).Select(span => span with { To = span.To + grace.TotalMilliseconds }));
        return spans;
    }

    /// <summary>Whether <paramref name="instance"/> was down at any time during the operation.</summary>
    public bool WasDown(int? instance, double start, double end) =>
        instance is { } i && Down.TryGetValue(i, out var spans) && spans.Any(span => span.Overlaps(start, end));

    public static Timeline Of(IReadOnlyList<Operation> history)
    {
        var faults = new List<(Operation, Operation?)>();
        Operation? open = null;
        var downs = new Dictionary<int, List<Span>>();
        var downSince = new Dictionary<int, double>();
        foreach (var operation in history.Where(op => op.Kind is OpKind.Fault or OpKind.Heal or OpKind.Down or OpKind.Up).OrderBy(op => op.Start))
        {
            switch (operation.Kind)
            {
                case OpKind.Fault:
                    if (open is not null)
                    {
                        faults.Add((open, null));
                    }

                    open = operation;
                    break;
                case OpKind.Heal when open is not null:
                    faults.Add((open, operation));
                    open = null;
                    break;
                case OpKind.Down when operation.Instance is { } instance:
                    downSince[instance] = operation.Start;
                    break;
                case OpKind.Up when operation.Instance is { } instance && downSince.Remove(instance, out var since):
                    Add(instance, new Span(since, operation.End));
                    break;
            }
        }

        if (open is not null)
        {
            faults.Add((open, null));
        }

        foreach (var (instance, since) in downSince)
        {
            Add(instance, new Span(since, double.PositiveInfinity));
        }

        return new Timeline(faults, downs.ToDictionary(pair => pair.Key, pair => (IReadOnlyList<Span>)pair.Value));

        void Add(int instance, Span span)
        {
            if (!downs.TryGetValue(instance, out var list))
            {
                downs[instance] = list = [];
            }

            list.Add(span);
        }
    }
}
