using EdgeGuard.Faults.Checker.History;

namespace EdgeGuard.Faults.Checker.Checks;

/// <summary>One promise of the cluster, checked on a recorded history after the run.</summary>
public interface ICheck
{
    /// <summary>A short name, for the results table.</summary>
    string Name { get; }

    CheckResult Evaluate(IReadOnlyList<Operation> history, Timeline timeline, CheckSettings settings);
}

/// <summary>What a check found.</summary>
/// <param name="Name">The check's name.</param>
/// <param name="Checked">How many operations (or ids, or heals) it judged.</param>
/// <param name="Violations">How many of them broke the promise.</param>
/// <param name="Detail">A short figure for the table (a recovery time, a rate against its bound), or empty.</param>
/// <param name="Examples">The first violations, in words.</param>
public sealed record CheckResult(string Name, int Checked, int Violations, string Detail, IReadOnlyList<string> Examples)
{
    public const int MaxExamples = 8;

    public bool Passed => Violations == 0;

    /// <summary>A result from the violations found (only the first <see cref="MaxExamples"/> are kept as examples).</summary>
    public static CheckResult From(string name, int @checked, IReadOnlyList<string> violations, string detail = "") =>
        new(name, @checked, violations.Count, detail, [.. violations.Take(MaxExamples)]);

    public override string ToString() =>
        $"{Name}: {(Passed ? "pass" : "FAIL")} ({Violations} of {Checked}{(Detail.Length > 0 ? "; " + Detail : "")})" +
        string.Concat(Examples.Select(example => Environment.NewLine + "    " + example));
}
