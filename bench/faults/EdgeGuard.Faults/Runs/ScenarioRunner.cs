using EdgeGuard.Faults.Checker;
using EdgeGuard.Faults.Checker.History;
using EdgeGuard.Faults.Deployments;
using EdgeGuard.Faults.Faults;
using EdgeGuard.Faults.Network;
using EdgeGuard.Faults.Workloads;

namespace EdgeGuard.Faults.Runs;

/// <summary>
/// One fault's scenario: a fresh deployment, the workload on it, the fault injected and healed, the workload on for a
/// while after, the final phase, then the check. The history, the check settings, the verdict and every process's
/// output are written to the scenario's directory.
/// </summary>
public sealed class ScenarioRunner(IGatewayNetwork network, HarnessOptions options, Action<string> log)
{
    public static readonly TimeSpan RecoveryLimit = TimeSpan.FromSeconds(5);

    public async Task<ScenarioOutcome> RunAsync(IFault fault, string directory, CancellationToken cancellationToken)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Directory.CreateDirectory(directory);
        var outcome = new ScenarioOutcome(fault, TimeSpan.Zero, directory);
        log($"--- {fault.Key}: {fault.Title}");
        IRedisService redis;
        try
        {
            var (started, unavailable) = await StartRedisAsync(fault.Redis);
            if (started is null)
            {
                log($"{fault.Key}: {unavailable}");
                return outcome with { NotRunnable = unavailable, Took = clock.Elapsed };
            }

            redis = started;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return outcome with { Error = $"Redis did not start: {e.Message}", Took = clock.Elapsed };
        }

        Deployment deployment;
        try
        {
            deployment = await Deployment.StartAsync(network, redis, log, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await redis.DisposeAsync();
            return outcome with { Error = $"the deployment did not start: {e.Message}", Took = clock.Elapsed };
        }

        await using (deployment)
        {
            var recorder = new HistoryRecorder();
            using var workload = new Workload(deployment, recorder);
            var context = new FaultContext(deployment, workload, recorder, log);
            string? error = null;
            using (var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                var running = workload.RunAsync(stop.Token);
                try
                {
                    await Task.Delay(options.Before, cancellationToken);
                    await fault.InjectAsync(context, cancellationToken);
                    await Task.Delay(options.After, cancellationToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    error = $"the fault could not be run: {e.Message}";
                }
                finally
                {
                    await stop.CancelAsync();
                    await running;
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
            await FinalPhase.RunAsync(deployment, workload, recorder, cancellationToken);
            var settings = new CheckSettings(DeploymentSettings.Instances, DeploymentSettings.FreshFor, DeploymentSettings.FailSafeMaxAge,
                await ConfiguredFalsePositiveRateAsync(deployment), RecoveryLimit);
            var history = recorder.Operations;
            var verdict = HistoryChecker.Check(history, settings);
            await HistoryFile.WriteAsync(Path.Combine(directory, "history.jsonl"), history);
            await settings.WriteAsync(Path.Combine(directory, "settings.json"));
            await File.WriteAllLinesAsync(Path.Combine(directory, "verdict.txt"), [.. context.Notes, .. verdict.Results.Select(result => result.ToString())]);
            await deployment.SaveOutputsAsync(directory);
            foreach (var result in verdict.Results)
            {
                log($"{fault.Key}: {result}");
            }

            return outcome with { Verdict = verdict, Error = error, Notes = context.Notes, Took = clock.Elapsed };
        }
    }

    /// <summary>The Redis <paramref name="kind"/> names, started; or null and why it cannot run here.</summary>
    private async Task<(IRedisService? Redis, string? Unavailable)> StartRedisAsync(RedisKind kind) => kind switch
    {
        RedisKind.Failover => await FailoverRedis.TryStartAsync(),
        RedisKind.Cluster => await ClusterRedis.TryStartAsync(),
        _ => (await SingleRedis.StartAsync(network), null),
    };

    /// <summary>The rate the gateways' filters are configured for, as they report it (the rate check's p).</summary>
    private static async Task<double> ConfiguredFalsePositiveRateAsync(Deployment deployment)
    {
        for (var i = 0; i < deployment.Gateways.Count; i++)
        {
            if (await deployment.StatsAsync(i) is { } stats)
            {
                return stats.GetProperty("false_positive_rate").GetDouble();
            }
        }

        return DeploymentSettings.FalsePositiveRate;
    }
}
