namespace EdgeGuard.Testing;

/// <summary>Runs a command to its end (initdb, redis-cli, promtool) and returns its exit code and output.</summary>
public static class CommandLine
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan OutputGrace = TimeSpan.FromSeconds(5);

    /// <summary>Runs the command; its exit code and its stdout followed by its stderr.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(ProcessCommand command, TimeSpan? timeout = null)
    {
        var output = new ProcessOutput();
        using var process = command.Start(output);
        var limit = timeout ?? DefaultTimeout;
        using var cancel = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Describe(command)} did not finish within {limit.TotalSeconds} s:{Environment.NewLine}{output.All}");
        }

        await output.FlushAsync(OutputGrace);
        return (process.ExitCode, output.Out + output.Error);
    }

    /// <summary>Runs the command and throws, with its output, unless it exits with 0; its output.</summary>
    public static async Task<string> RunCheckedAsync(ProcessCommand command, TimeSpan? timeout = null)
    {
        var (exitCode, output) = await RunAsync(command, timeout);
        return exitCode == 0
            ? output
            : throw new InvalidOperationException($"{Describe(command)} exited with code {exitCode}:{Environment.NewLine}{output}");
    }

    private static string Describe(ProcessCommand command) => $"{command.Executable} {string.Join(' ', command.Arguments)}";
}
