using EdgeGuard.Faults.Deployments;
using EdgeGuard.Faults.Workloads;

namespace EdgeGuard.Faults.Faults;

/// <summary>One fault of the matrix: injected into a running deployment under the workload, held for a set time, healed.</summary>
public interface IFault
{
    /// <summary>A short key (<c>--faults</c>, the output directory).</summary>
    string Key { get; }

    /// <summary>What it does, for the results table.</summary>
    string Title { get; }

    /// <summary>The Redis it needs.</summary>
    RedisKind Redis { get; }

    /// <summary>Injects the fault and heals it, recording both (and any instance killed and restarted) in the history.</summary>
    Task InjectAsync(FaultContext context, CancellationToken cancellationToken);
}

/// <summary>What a fault acts on, and where it says what it saw.</summary>
public sealed class FaultContext(Deployment deployment, Workload workload, HistoryRecorder recorder, Action<string> log)
{
    private readonly List<string> _notes = [];

    public Deployment Deployment => deployment;

    public Workload Workload => workload;

    public HistoryRecorder Recorder => recorder;

    /// <summary>What the fault observed (which instance it hit, what a restarted instance restored from), for the results.</summary>
    public IReadOnlyList<string> Notes => _notes;

    public void Note(string note)
    {
        _notes.Add(note);
        log(note);
    }
}
