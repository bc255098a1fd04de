using System.Diagnostics;

namespace EdgeGuard.Faults.Network;

/// <summary>Runs iproute2's <c>ip</c> (synchronously: it also runs at process exit, where nothing async may).</summary>
internal static class IpCommand
{
    /// <summary>Runs <c>ip</c> with <paramref name="arguments"/>; its exit code and its output (stdout, then stderr).</summary>
    public static (int ExitCode, string Output) Run(params string[] arguments)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("ip could not be started.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(30_000))
        {
            process.Kill();
            throw new TimeoutException($"ip {string.Join(' ', arguments)} did not finish within 30 s.");
        }

        return (process.ExitCode, output.Result + error.Result);
    }

    /// <summary>Runs <c>ip</c> and throws, with what it said, unless it succeeds.</summary>
    public static string Checked(params string[] arguments)
    {
        var (exitCode, output) = Run(arguments);
        return exitCode == 0
            ? output
            : throw new InvalidOperationException($"`ip {string.Join(' ', arguments)}` exited with code {exitCode}: {output.Trim()}");
    }
}
