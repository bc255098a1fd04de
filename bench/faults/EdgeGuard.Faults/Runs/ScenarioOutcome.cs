using EdgeGuard.Faults.Checker;
using EdgeGuard.Faults.Faults;

namespace EdgeGuard.Faults.Runs;

/// <summary>How one fault's scenario ended: checked (with the verdict), not runnable here (and why), or broken off by an error.</summary>
public sealed record ScenarioOutcome(IFault Fault, TimeSpan Took, string Directory)
{
    public Verdict? Verdict { get; init; }

    public string? NotRunnable { get; init; }

    public string? Error { get; init; }

    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>A check failed, or the scenario could not finish.</summary>
    public bool Failed => Error is not null || Verdict is { Passed: false };
}
