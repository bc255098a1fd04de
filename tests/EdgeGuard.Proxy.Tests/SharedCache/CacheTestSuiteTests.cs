namespace EdgeGuard.Proxy.Tests.SharedCache;

/// <summary>
/// The HTTP caching test suite's strict subset (bench/cachetests: http-tests/cache-tests, 175 GET tests on one URL)
/// against a real gateway process whose catch-all route is a shared cached route, scored as cache-tests.fyi does. It
/// fails when fewer tests pass than the count recorded in bench/cachetests/strict-floor.txt: a conformance
/// regression. Raise the floor when the count goes up. Needs node and python3 (test.sh installs them).
/// </summary>
[Integration]
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
            var (exitCode, log) = await CommandLine.RunAsync(new ProcessCommand(Path.Combine(Bench, "run.sh"), ["strict"])
            {
                WorkingDirectory = Bench,
                Environment = new Dictionary<string, string?>
                {
                    ["SKIP_BUILD"] = "1",
                    ["OUT"] = output,
                    ["PROXY_PORT"] = LoopbackPorts.Free().ToString(),
                    ["SERVER_PORT"] = LoopbackPorts.Free().ToString(),
                },
            }, TimeSpan.FromMinutes(5));
            Assert.True(exitCode == 0, $"run.sh strict exited with {exitCode}:{Environment.NewLine}{log}");

            var score = new ProcessCommand("python3",
                [Path.Combine(Bench, "score.py"), "--subset", "strict", "--json", Path.Combine(output, "edgeguard-strict.json")])
            {
                WorkingDirectory = Bench,
            };
            var (scoreExit, json) = await CommandLine.RunAsync(score);
            Assert.True(scoreExit == 0, json);
            var passed = JsonDocument.Parse(json).RootElement.EnumerateObject().Single().Value.GetProperty("strict").GetProperty("pass").GetInt32();

            Assert.True(passed >= floor, $"{passed} of 175 strict tests passed, fewer than the {floor} recorded in strict-floor.txt:{Environment.NewLine}{log}");
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }
}
