using EdgeGuard.Proxy.Configuration;
using EdgeGuard.Proxy.Filtering.Snapshots;
using EdgeGuard.Proxy.Observability;
using Polly;
using Polly.Retry;

namespace EdgeGuard.Proxy.Filtering;

/// <summary>
/// Builds the filter from its sources and puts it in use: once, retrying with backoff until every source has been read
/// (<see cref="LoadWithRetriesAsync"/>), or again on demand (<see cref="ReloadAsync"/>). A rebuild is built aside and
/// swapped in; one that would shrink the filter by more than <c>EdgeGuard:Bloom:MaxShrinkShare</c> is refused unless
/// forced. A source whose configuration turns out to be unusable once it can be read (<see cref="ConfigurationErrorException"/>)
/// stops the gateway with exit code 2 (<see cref="StopForConfiguration"/>). When it runs is the mode's business:
/// <see cref="StandaloneFilterService"/> standalone, the cluster's join and leader in a cluster.
/// </summary>
public sealed class FilterLoader(
    ProductFilter filter,
    FilterBuilder builder,
    SnapshotState snapshot,
    IOptions<EdgeGuardOptions> options,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<FilterLoader> logger) : IFilterReloader
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
                LogMessages.FilterShrinkRefused(logger, next.Items, before, options.Value.Bloom.MaxShrinkShare);
                throw new FilterShrinkRefusedException(next.Items, before);
            }

            LogMessages.FilterShrinkForced(logger, next.Items, before);
        }

        rebuild.Commit(next, carryOverCurrent: !builder.SourcesListApiCreatedProducts);
        snapshot.RebuildEnded();

        var report = new FilterBuildReport(filter.Items, next.Duration, next.Filter.ExpectedItems, next.OutgrewConfiguredSize);
        LogMessages.FilterLoaded(logger, report.Items, report.Duration.TotalMilliseconds);
        return report;
    }

    /// <summary>Builds the first filter, retrying with backoff while a source cannot be read.</summary>
    /// <param name="reload">What one attempt does (by default <see cref="ReloadAsync"/>, forced).</param>
    public async Task LoadWithRetriesAsync(CancellationToken stoppingToken, IFilterReloader? reload = null)
    {
        reload ??= this;
        var firstLoad = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(e =>
                    e is not ConfigurationErrorException && (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(200),
                MaxDelay = options.Value.Bloom.MaxRetryDelay,
                OnRetry = args =>
                {
                    LogMessages.FilterLoadFailed(logger, args.AttemptNumber + 1, args.RetryDelay.TotalMilliseconds, args.Outcome.Exception);
                    return default;
                },
            })
            .Build();
        await firstLoad.ExecuteAsync(async ct => await reload.ReloadAsync(force: true, ct).ConfigureAwait(false), stoppingToken).ConfigureAwait(false);
    }

    /// <summary>A source's configuration that cannot work, found once the source could be read: the same message
    /// and exit code as a refusal at start-up.</summary>
    public void StopForConfiguration(ConfigurationErrorException error)
    {
        LogMessages.ConfigurationFailedAfterStart(logger, error.Message);
        Console.Error.WriteLine($"EdgeGuard cannot start, the configuration is invalid:{Environment.NewLine}  {error.Message}");
        Environment.ExitCode = StartupErrors.InvalidConfigurationExitCode;
        // Once started (at once if it already has): a stop while the server is still binding would end in a crash.
        lifetime.ApplicationStarted.Register(lifetime.StopApplication);
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
