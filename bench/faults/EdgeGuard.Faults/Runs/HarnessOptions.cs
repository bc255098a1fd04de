using System.Globalization;
using EdgeGuard.Faults.Faults;
using EdgeGuard.Testing;

namespace EdgeGuard.Faults.Runs;

/// <summary>What a run does: which faults, beside a CPU hog or not, where its results and histories go.</summary>
public sealed record HarnessOptions
{
    public required IReadOnlyList<IFault> Faults { get; init; }

    public string Mode { get; init; } = "full";

    public bool CpuHog { get; init; }

    /// <summary>Use loopback and a proxy per gateway even where network namespaces work.</summary>
    public bool Loopback { get; init; }

    /// <summary>Where the results table is written.</summary>
    public string ResultsPath { get; init; } = Path.Combine(Repository.Root, "bench", "faults", "RESULTS.md");

    /// <summary>Where each run's directory (histories, settings, process outputs) is made.</summary>
    public string OutRoot { get; init; } = Path.Combine(Repository.Root, "bench", "faults", "out");

    /// <summary>Keep the run's directory when every check passed (a failed run's is always kept).</summary>
    public bool Keep { get; init; }

    /// <summary>How long the workload runs before the fault, and after its heal.</summary>
    public TimeSpan Before { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan After { get; init; } = TimeSpan.FromSeconds(10);

    public const string Usage = """
        usage: bench/faults/run.sh [--short] [--faults KEY,KEY…] [--cpu-hog] [--results PATH] [--out DIR] [--keep] [--loopback]
               bench/faults/run.sh --check DIR     (checks a kept history again: DIR holds history.jsonl and settings.json)
        """;

    /// <summary>Options from the command line; throws <see cref="ArgumentException"/> naming what is wrong.</summary>
    public static HarnessOptions Parse(IReadOnlyList<string> args)
    {
        var options = new HarnessOptions { Faults = FaultMatrix.Full };
        for (var i = 0; i < args.Count; i++)
        {
            options = args[i] switch
            {
                "--short" => options with { Faults = FaultMatrix.Short, Mode = "short" },
                "--faults" => options with { Faults = FaultMatrix.Select(Value(args, ref i).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)), Mode = "selected" },
                "--cpu-hog" => options with { CpuHog = true },
                "--loopback" => options with { Loopback = true },
                "--keep" => options with { Keep = true },
                "--results" => options with { ResultsPath = Path.GetFullPath(Value(args, ref i)) },
                "--out" => options with { OutRoot = Path.GetFullPath(Value(args, ref i)) },
                var other => throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"unknown argument {other}")),
            };
        }

        return options;
    }

    private static string Value(IReadOnlyList<string> args, ref int i) =>
        ++i < args.Count ? args[i] : throw new ArgumentException($"{args[i - 1]} needs a value");
}
