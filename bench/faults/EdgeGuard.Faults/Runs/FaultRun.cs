using System.Diagnostics;
using System.Globalization;
using EdgeGuard.Faults.Deployments;
using EdgeGuard.Faults.Network;
using EdgeGuard.Testing;

namespace EdgeGuard.Faults.Runs;

/// <summary>
/// A run of the harness: the network made (namespaces, or the loopback fallback), then each fault's scenario in turn,
/// then the results table. The run's directory under <see cref="HarnessOptions.OutRoot"/> keeps every history; it is
/// deleted when every check passed (unless asked to keep it).
/// </summary>
public static class FaultRun
{
    public static async Task<RunReport> RunAsync(HarnessOptions options, Action<string> log, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var directory = Path.Combine(options.OutRoot, DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture) + "-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(directory);
        await using var network = MakeNetwork(options, log);
        log($"network: {network.Description}");
        using var hog = options.CpuHog ? CpuHog.Start() : null;
        if (hog is not null)
        {
            log($"beside a CPU hog: {Environment.ProcessorCount} busy loops at nice 5");
        }

        var runner = new ScenarioRunner(network, options, log);
        var outcomes = new List<ScenarioOutcome>();
        foreach (var fault in options.Faults)
        {
            outcomes.Add(await runner.RunAsync(fault, Path.Combine(directory, fault.Key), cancellationToken));
        }

        var passed = outcomes.All(outcome => !outcome.Failed);
        var keep = options.Keep || !passed;
        var report = new RunReport(outcomes, network.Description, directory, clock.Elapsed, keep);
        await File.WriteAllTextAsync(options.ResultsPath, ResultsTable.Render(report, options));
        if (!keep)
        {
            Directory.Delete(directory, recursive: true);
        }

        log($"results: {options.ResultsPath}");
        log(passed ? $"every check passed ({clock.Elapsed.TotalSeconds:0} s)" : $"CHECKS FAILED; histories and process outputs kept in {directory}");
        return report;
    }

    private static IGatewayNetwork MakeNetwork(HarnessOptions options, Action<string> log)
    {
        if (options.Loopback)
        {
            return new LoopbackNetwork(DeploymentSettings.Instances, "asked for with --loopback");
        }

        var (network, unavailable) = NamespaceNetwork.TryCreate(DeploymentSettings.Instances, log);
        if (network is not null)
        {
            return network;
        }

        log($"NOTE: {unavailable}; falling back to loopback with one fault proxy per gateway per link. Each gateway then reaches the " +
            "catalog at a URL of its own, so its filter snapshots record other sources than the others' and a restarted gateway " +
            "builds from the catalog instead of restoring the cluster's snapshot: correct, but not the deployment meant to be proven.");
        return new LoopbackNetwork(DeploymentSettings.Instances, unavailable!);
    }
}
