using EdgeGuard.Proxy.Configuration;
using EdgeGuard.Proxy.Observability;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace EdgeGuard.Proxy.Filtering;

/// <summary>
/// Loads the filter in the background at start-up (the gateway forwards everything meanwhile), retrying
/// with backoff until every source has been read, then rebuilds on the configured interval and on demand.
/// A rebuild is built aside and swapped in; one that would shrink the filter by more than
/// <c>EdgeGuard:Bloom:MaxShrinkShare</c> is refused unless forced.
/// </summary>
public sealed class FilterLoader(
    ProductFilter filter,
    FilterBuilder builder,
    IOptions<EdgeGuardOptions> options,
    TimeProvider time,
    ILogger<FilterLoader> logger) : BackgroundService
{
    /// <summary>Rebuilds once from the sources and swaps the result in (admin reload, periodic reload).</summary>
    /// <param name="force">Swap in even a filter that shrank past the configured share (an admin's decision).</param>
    /// <exception cref="FilterShrinkRefusedException">The rebuild held too few ids and was not forced.</exception>
    public async Task<FilterBuildReport> ReloadAsync(bool force, CancellationToken cancellationToken)
    {
        using var rebuild = await filter.BeginRebuildAsync(cancellationToken).ConfigureAwait(false);
        var previousItems = filter.IsReady ? filter.Items : (long?)null;
        var next = await builder.BuildAsync(previousItems, cancellationToken).ConfigureAwait(false);
        if (previousItems is { } before && next.Items < before * (1 - options.Value.Bloom.MaxShrinkShare))
        {
            if (!force)
            {
                Log.FilterShrinkRefused(logger, next.Items, before, options.Value.Bloom.MaxShrinkShare);
                throw new FilterShrinkRefusedException(next.Items, before);
            }

            Log.FilterShrinkForced(logger, next.Items, before);
        }

        rebuild.Commit(next, carryOverCurrent: !builder.SourcesListApiCreatedProducts);
        var report = new FilterBuildReport(filter.Items, next.Duration, next.Filter.ExpectedItems, next.OutgrewConfiguredSize);
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
            await firstLoad.ExecuteAsync(async ct => await ReloadAsync(force: true, ct).ConfigureAwait(false), stoppingToken).ConfigureAwait(false);
            if (options.Value.Bloom.ReloadInterval is not { } interval)
            {
                return;
            }

            using var timer = new PeriodicTimer(interval, time);
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await ReloadAsync(force: false, stoppingToken).ConfigureAwait(false);
                }
                catch (FilterShrinkRefusedException)
                {
                    // Logged where refused; the filter in use stays.
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

/// <summary>What a rebuild did.</summary>
/// <param name="Items">Distinct ids in the filter now in use.</param>
/// <param name="Duration">Time spent reading the sources.</param>
/// <param name="SizedFor">The n the new filter is sized for.</param>
/// <param name="OutgrewConfiguredSize">True when the sources outgrew <c>ExpectedItems</c> and the filter was sized for the real count.</param>
public sealed record FilterBuildReport(long Items, TimeSpan Duration, long SizedFor, bool OutgrewConfiguredSize);

/// <summary>A rebuild held far fewer ids than the filter in use (a source half-read, or emptied by mistake).</summary>
public sealed class FilterShrinkRefusedException(long built, long inUse)
    : Exception($"The rebuild read {built} ids against {inUse} in the filter in use, more than the allowed shrink (EdgeGuard:Bloom:MaxShrinkShare); the filter in use stays. Force it with POST /bloom/reload?force=true.")
{
    public long Built { get; } = built;

    public long InUse { get; } = inUse;
}
