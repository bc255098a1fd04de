using EdgeGuard.Faults.Runs;
using Xunit.Abstractions;

namespace EdgeGuard.Faults.Tests.Harness;

/// <summary>
/// The fault harness's short run, as <c>bench/faults/run.sh --short</c> runs it: three gateway processes on a real Redis
/// and the real catalog, a workload on all three, one gateway (the leader) cut off from Redis for longer than the
/// membership TTL, then one killed with a create through it committed and unanswered; every check on both histories.
/// As root each gateway runs in a network namespace of its own (made and removed by the run). A failure shows the
/// results table and where the histories and the processes' output were kept (bench/faults/out/).
/// </summary>
[Integration]
public sealed class ShortRunTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Partition_longer_than_the_membership_and_a_gateway_killed_mid_write_pass_every_check()
    {
        var results = Path.Combine(Path.GetTempPath(), $"edgeguard-faults-{Guid.NewGuid():N}.md");
        try
        {
            var options = HarnessOptions.Parse(["--short", "--results", results]);

            var report = await FaultRun.RunAsync(options, output.WriteLine, CancellationToken.None);

            var table = await File.ReadAllTextAsync(results);
            output.WriteLine(table);
            Assert.True(report.Passed, $"{table}{Environment.NewLine}Histories and process outputs: {report.Directory}");
            Assert.Equal(["redis-partition-long", "gateway-kill"], report.Outcomes.Select(outcome => outcome.Fault.Key));
            Assert.All(report.Outcomes, outcome => Assert.NotNull(outcome.Verdict));
            Assert.All(report.Outcomes, outcome => Assert.True(outcome.Verdict!.Counts.Acknowledged > 0, $"{outcome.Fault.Key}: no create was acknowledged"));
            Assert.False(Directory.Exists(report.Directory), "a passing run keeps no histories");
            Assert.DoesNotContain($"egf{Environment.ProcessId}", await NetworkNamesAsync(), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(results);
        }
    }

    /// <summary>Network namespaces and links on this machine (empty when <c>ip</c> is not there).</summary>
    private static async Task<string> NetworkNamesAsync()
    {
        if (RequiredExecutable.TryFind("ip") is null)
        {
            return "";
        }

        var (_, namespaces) = await CommandLine.RunAsync(new ProcessCommand("ip", ["netns", "list"]));
        var (_, links) = await CommandLine.RunAsync(new ProcessCommand("ip", ["-o", "link", "show"]));
        return namespaces + links;
    }
}
