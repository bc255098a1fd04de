namespace EdgeGuard.Faults.Runs;

/// <summary>A whole run: each fault's outcome, how the network was wired, where the histories are.</summary>
public sealed record RunReport(IReadOnlyList<ScenarioOutcome> Outcomes, string Network, string Directory, TimeSpan Took, bool DirectoryKept)
{
    /// <summary>Every fault that could run passed every check.</summary>
    public bool Passed => Outcomes.All(outcome => !outcome.Failed);
}
