using System.Runtime.InteropServices;
using EdgeGuard.Faults.Checker;
using EdgeGuard.Faults.Checker.History;
using EdgeGuard.Faults.Runs;

// The fault harness: bench/faults/run.sh runs it (see HarnessOptions.Usage). Exit code 0 when every fault that could run
// passed every check, 1 when a check failed or a scenario could not finish, 2 for bad arguments.
static void Log(string line) => Console.WriteLine($"{DateTime.Now:HH:mm:ss.fff} {line}");

if (args is ["--check", var kept])
{
    var verdict = HistoryChecker.Check(await HistoryFile.ReadAsync(Path.Combine(kept, "history.jsonl")), await CheckSettings.ReadAsync(Path.Combine(kept, "settings.json")));
    foreach (var result in verdict.Results)
    {
        Console.WriteLine(result);
    }

    return verdict.Passed ? 0 : 1;
}

HarnessOptions options;
try
{
    options = HarnessOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"faults: {e.Message}{Environment.NewLine}{HarnessOptions.Usage}");
    return 2;
}

using var stopping = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // The first Ctrl-C stops the run and tears everything down; a second one ends the process (cleanup still runs at exit).
    e.Cancel = !stopping.IsCancellationRequested;
    Log("stopping: tearing down the deployment and the network");
    stopping.Cancel();
};
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stopping.Cancel();
});

try
{
    var report = await FaultRun.RunAsync(options, Log, stopping.Token);
    return report.Passed ? 0 : 1;
}
catch (OperationCanceledException) when (stopping.IsCancellationRequested)
{
    Log("stopped before the end; nothing was checked");
    return 1;
}
catch (Exception e)
{
    // Caught rather than left unhandled: an unhandled exception ends the process without its exit handlers, which
    // remove the network namespaces and kill what the run started.
    Log($"the run failed: {e}");
    return 1;
}
