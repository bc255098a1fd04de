using EdgeGuard.Faults.Checker;
using EdgeGuard.Faults.Checker.History;

namespace EdgeGuard.Faults.Tests.Checker;

/// <summary>Histories written by hand for the checker's tests: times in seconds, each operation 10 ms long unless told.</summary>
internal sealed class HistoryBuilder
{
    public static readonly CheckSettings Settings = new(
        Instances: 3,
        FreshFor: TimeSpan.FromSeconds(5),
        FailSafeMaxAge: TimeSpan.FromHours(1),
        FalsePositiveRate: 0.01,
        RecoveryLimit: TimeSpan.FromSeconds(5));

    private readonly List<Operation> _operations = [];

    public IReadOnlyList<Operation> Operations => _operations;

    public HistoryBuilder Create(string id, int instance, double at, int? status, double took = 0.01) =>
        Add(new Operation { Kind = OpKind.Create, Id = id, Instance = instance, Start = Ms(at), End = Ms(at + took), Status = status, Error = status is null ? "timeout" : null });

    public HistoryBuilder Read(ReadTarget target, string id, int instance, double at, int? status, string? source, long? age = null, double took = 0.01) =>
        Add(new Operation
        {
            Kind = OpKind.Read,
            Target = target,
            Id = id,
            Instance = instance,
            Start = Ms(at),
            End = Ms(at + took),
            Status = status,
            Source = source,
            Age = age,
            Error = status is null ? "connection refused" : null,
        });

    public HistoryBuilder Announce(string id, int instance, double at, int status) =>
        Add(new Operation { Kind = OpKind.Announce, Ids = [id], Instance = instance, Start = Ms(at), End = Ms(at + 0.01), Status = status });

    public HistoryBuilder InCatalog(string id, bool exists, double at = 1000) =>
        Add(new Operation { Kind = OpKind.CatalogCheck, Id = id, Start = Ms(at), End = Ms(at + 0.01), Status = exists ? 200 : 404 });

    /// <summary>Final reads of <paramref name="id"/> through every instance, each with <paramref name="status"/>.</summary>
    public HistoryBuilder FinalReads(string id, int status = 200, double at = 1000)
    {
        for (var instance = 0; instance < Settings.Instances; instance++)
        {
            Read(ReadTarget.Final, id, instance, at, status, status == 200 ? "cache" : "bloom");
        }

        return this;
    }

    public HistoryBuilder Fault(double from, double healedAt, int? instance = null) =>
        Add(new Operation { Kind = OpKind.Fault, Instance = instance, Start = Ms(from), End = Ms(from + 0.01), Note = "fault" })
            .Add(new Operation { Kind = OpKind.Heal, Instance = instance, Start = Ms(healedAt - 0.01), End = Ms(healedAt), Note = "heal" });

    public HistoryBuilder Down(int instance, double from, double readyAt) =>
        Add(new Operation { Kind = OpKind.Down, Instance = instance, Start = Ms(from), End = Ms(from) })
            .Add(new Operation { Kind = OpKind.Up, Instance = instance, Start = Ms(from + 0.1), End = Ms(readyAt) });

    /// <summary>Missing-id reads through <paramref name="instance"/>, one every <paramref name="every"/> seconds in [from, to), answered by <paramref name="source"/>.</summary>
    public HistoryBuilder MissingReads(int instance, double from, double to, string source, double every = 0.1)
    {
        var n = 0;
        for (var at = from; at < to - 1e-9; at = from + ++n * every)
        {
            Read(ReadTarget.Missing, $"MISS-{instance}-{at:0.000}", instance, at, 404, source);
        }

        return this;
    }

    public HistoryBuilder Add(Operation operation)
    {
        _operations.Add(operation);
        return this;
    }

    private static double Ms(double seconds) => seconds * 1000;
}
