using System.Diagnostics;
using EdgeGuard.Proxy.Configuration;
using EdgeGuard.Proxy.Observability;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace EdgeGuard.Proxy.Filtering;

/// <summary>
/// Loads the filter in the background at start-up (the gateway forwards everything meanwhile), retrying
/// with backoff until every source has been read, then rebuilds on the configured interval and on demand.
/// </summary>
public sealed class FilterLoader(
    ProductFilter filter,
    FilterSources sources,
    IOptions<EdgeGuardOptions> options,
    TimeProvider time,
    ILogger<FilterLoader> logger) : BackgroundService
{
    /// <summary>Rebuilds once from the sources and swaps the result in (admin reload, periodic reload).</summary>
    public async Task<FilterBuildReport> ReloadAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var built = await filter.RebuildAsync(sources.CreateEmpty, sources.LoadAsync, sources.SourcesMissApiCreatedProducts, cancellationToken)
            .ConfigureAwait(false);
        var report = new FilterBuildReport(built.Count, Stopwatch.GetElapsedTime(started));
        Log.FilterLoaded(logger, report.Items, report.Duration.TotalMilliseconds);
        return report;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var firstLoad = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is not OperationCanceledException || !stoppingToken.IsCancellationRequested),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(200),
                MaxDelay = options.Value.Bloom.MaxRetryDelay,
                OnRetry = args =>
                {
                    Log.FilterLoadFailed(logger, args.AttemptNumber + 1, args.RetryDelay.TotalMilliseconds, args.Outcome.Exception);
                    return default;
                },
            })
            .Build();

        try
        {
            await firstLoad.ExecuteAsync(async ct => await ReloadAsync(ct).ConfigureAwait(false), stoppingToken).ConfigureAwait(false);
            if (options.Value.Bloom.ReloadInterval is not { } interval)
            {
                return;
            }

            using var timer = new PeriodicTimer(interval, time);
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await ReloadAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The filter in use stays: a failed rebuild never takes ids away.
                    Log.FilterReloadFailed(logger, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}

public sealed record FilterBuildReport(long Items, TimeSpan Duration);
