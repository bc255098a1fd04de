using System.Diagnostics;
using System.Text.Json;

namespace EdgeGuard.Proxy.Tests.SharedCache;

/// <summary>
/// The HTTP caching test suite's strict subset (bench/cachetests: http-tests/cache-tests, 175 GET tests on one URL)
/// against a real gateway process whose catch-all route is a shared cached route, scored as cache-tests.fyi does. It
/// fails when fewer tests pass than the count recorded in bench/cachetests/strict-floor.txt: a conformance
/// regression. Raise the floor when the count goes up. Needs node and python3 (test.sh installs them).
/// </summary>
[Trait("Category", "Integration")]
public sealed class CacheTestSuiteTests
{
    private static readonly string Bench = Path.Combine(Repository.Root, "bench", "cachetests");

    [Fact]
    public async Task Strict_subset_passes_at_least_the_recorded_count()
    {
        _ = GatewayProcess.GatewayDll; // built (test.sh builds the solution first), or a clear failure
        var floor = int.Parse(File.ReadAllLines(Path.Combine(Bench, "strict-floor.txt"))[0].Trim());
        var output = Directory.CreateTempSubdirectory("edgeguard-cachetests-").FullName;
        try
        {
            var (exitCode, log) = await RunAsync(Path.Combine(Bench, "run.sh"), ["strict"], new Dictionary<string, string>
            {
                ["SKIP_BUILD"] = "1",
                ["OUT"] = output,
                ["PROXY_PORT"] = LoopbackPorts.Free().ToString(),
                ["SERVER_PORT"] = LoopbackPorts.Free().ToString(),
            }, TimeSpan.FromMinutes(5));
            Assert.True(exitCode == 0, $"run.sh strict exited with {exitCode}:{Environment.NewLine}{log}");

            var (scoreExit, json) = await RunAsync("python3", [Path.Combine(Bench, "score.py"), "--subset", "strict", "--json", Path.Combine(output, "edgeguard-strict.json")],
                new Dictionary<string, string>(), TimeSpan.FromMinutes(1));
            Assert.True(scoreExit == 0, json);
            var passed = JsonDocument.Parse(json).RootElement.EnumerateObject().Single().Value.GetProperty("strict").GetProperty("pass").GetInt32();

            Assert.True(passed >= floor, $"{passed} of 175 strict tests passed, fewer than the {floor} recorded in strict-floor.txt:{Environment.NewLine}{log}");
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, string[] arguments, Dictionary<string, string> environment, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} did not finish within {timeout.TotalMinutes} min: {await stderr}");
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
