using System.Globalization;
using System.Text;
using EdgeGuard.Faults.Checker;
using EdgeGuard.Faults.Deployments;

namespace EdgeGuard.Faults.Runs;

/// <summary>The run as markdown: a fault × check table with the counts, then what each fault observed and any violation.</summary>
public static class ResultsTable
{
    public static string Render(RunReport report, HarnessOptions options)
    {
        var text = new StringBuilder();
        var culture = CultureInfo.InvariantCulture;
        text.AppendLine("# Fault harness results").AppendLine();
        text.AppendLine(culture, $"`bench/faults/run.sh{Arguments(options)}`, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {report.Took.TotalMinutes:0.0} min, " +
                                 $"{Environment.ProcessorCount} cores (load {LoadAverage()}){(options.CpuHog ? ", beside a CPU hog (a busy loop per core at nice 5)" : "")}.");
        text.AppendLine().AppendLine(culture, $"Network: {report.Network}.");
        var onLoopback = report.Outcomes.Where(outcome => outcome.Fault.Redis != RedisKind.Single).Select(outcome => $"`{outcome.Fault.Key}`").ToList();
        if (onLoopback.Count > 0)
        {
            text.AppendLine().AppendLine(
                $"Except for {string.Join(" and ", onLoopback)}: Redis reached through Sentinel or as a Redis Cluster announces loopback " +
                "addresses, so there the gateways run on loopback and reach the catalog through one shared link, Redis directly.");
        }

        text.AppendLine().AppendLine(culture,
            $"Gateways: {DeploymentSettings.Instances} processes, default settings except `PositiveTtl` {DeploymentSettings.FreshFor.TotalSeconds} s (entries go stale during a fault) and a filter for " +
            $"{DeploymentSettings.ExpectedItems:N0} ids at {DeploymentSettings.FalsePositiveRate:P0} ({DeploymentSettings.SeededIds:N0} seeded); `MembershipTtl` {DeploymentSettings.MembershipTtl.TotalSeconds} s. " +
            $"Each fault on a fresh cluster, the workload on all three gateways {options.Before.TotalSeconds} s before it and {options.After.TotalSeconds} s after its heal.");
        text.AppendLine();

        var checks = HistoryChecker.Checks.Select(check => check.Name).ToList();
        text.Append("| fault | operations | creates: 2xx / 503 / unknown | stale answers | recovery |");
        checks.ForEach(name => text.Append(' ').Append(name).Append(" |"));
        text.AppendLine().Append("|---|---:|---|---:|---:|");
        checks.ForEach(_ => text.Append("---|"));
        text.AppendLine();
        var number = 0;
        foreach (var outcome in report.Outcomes)
        {
            number++;
            text.Append(culture, $"| {number}. {outcome.Fault.Title} (`{outcome.Fault.Key}`) |");
            if (outcome.NotRunnable is { } reason)
            {
                text.Append(culture, $" {reason} | | | |");
                checks.ForEach(_ => text.Append(" — |"));
            }
            else if (outcome.Verdict is { } verdict)
            {
                var counts = verdict.Counts;
                var shield = verdict.Results.First(result => result.Name == "shield back in time");
                text.Append(culture, $" {counts.Operations:N0} | {counts.Acknowledged:N0} / {counts.Refused:N0} / {counts.Unanswered:N0} | {counts.Stale:N0} | {shield.Detail.Replace("recovery ", "", StringComparison.Ordinal)} |");
                foreach (var result in verdict.Results)
                {
                    text.Append(culture, $" {(result.Passed ? "pass" : "**FAIL**")} ({(result.Passed ? result.Checked.ToString("N0", culture) : $"{result.Violations:N0} of {result.Checked:N0}")}{(result.Detail.Length > 0 && result.Name != "shield back in time" ? "; " + result.Detail : "")}) |");
                }
            }
            else
            {
                text.Append(culture, $" **did not finish**: {outcome.Error} | | | |");
                checks.ForEach(_ => text.Append(" — |"));
            }

            text.AppendLine();
        }

        text.AppendLine().AppendLine(Legend);
        text.AppendLine().AppendLine("What each fault saw:").AppendLine();
        foreach (var outcome in report.Outcomes)
        {
            var error = outcome.Error is not null && outcome.Verdict is not null ? $"; error: {outcome.Error}" : "";
            text.AppendLine(culture, $"- `{outcome.Fault.Key}` ({outcome.Took.TotalSeconds:0} s): {string.Join("; ", outcome.Notes.DefaultIfEmpty(outcome.NotRunnable ?? outcome.Error ?? ""))}{error}");
            foreach (var failed in outcome.Verdict?.Results.Where(result => !result.Passed) ?? [])
            {
                text.AppendLine(culture, $"  - {failed.Name}: {failed.Violations} violations, e.g.");
                foreach (var example in failed.Examples)
                {
                    text.AppendLine(culture, $"    - {example}");
                }
            }
        }

        text.AppendLine().AppendLine(report.DirectoryKept
            ? $"Histories, check settings and process outputs: `{Path.GetRelativePath(Repository(), report.Directory)}`."
            : "Every check passed; the run's histories were not kept (`--keep` keeps them).");
        return text.ToString();
    }

    /// <summary>What the columns count and what each check holds the history to (EdgeGuard.Faults.Checker).</summary>
    public const string Legend = """
        Operations are the clients' requests (creates, reads, announcements); a create is 2xx (acknowledged), 503 (refused)
        or unknown (no answer, 502, 504: the client cannot know). Recovery: the slowest instance, from the heal to its first
        missing id rejected by its filter. Each check gives the operations (or ids, heals) it judged:
        - **no false 404**: an id seeded, created (2xx) or announced (200) is never a 404, from any instance, for a request
          started after that answer;
        - **no lost write**: every acknowledged id is in the catalog at the end (asked directly), and every acknowledged id, and
          every id created through a gateway that the catalog has, is served 200 by every instance at the end;
        - **refused writes left no row**: every create answered 503 left no row in the catalog;
        - **cached ids answered, stale labelled**: no 5xx (or no answer) from an instance for an id it answered from its cache
          before, less than `FailSafeMaxAge` earlier (not while it was down); an answer older than its freshness is
          labelled `stale`, and a stale answer is a 200 at most `FailSafeMaxAge` old;
        - **shield back in time**: within 5 s of each heal, every instance rejects a missing id with its filter;
        - **missing ids at the filter's rate**: outside the fault windows (injection to 5 s after the heal, a kill to 5 s
          after the restart was ready) the missing ids forwarded to the catalog stay within the binomial bound of the
          configured false-positive rate at 10⁻⁶ (a count a filter at its rate reaches by chance less than once in a
          million runs);
        - **no 500**: no request answered 500 (a gateway failing on its own).
        """;

    private static string Arguments(HarnessOptions options) =>
        (options.Mode == "short" ? " --short" : options.Mode == "selected" ? " --faults " + string.Join(',', options.Faults.Select(fault => fault.Key)) : "") +
        (options.CpuHog ? " --cpu-hog" : "") + (options.Loopback ? " --loopback" : "");

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static string Repository() => EdgeGuard.Testing.Repository.Root;
}
