using EdgeGuard.Proxy.Configuration;
using EdgeGuard.Proxy.Filtering.Snapshots;
using EdgeGuard.Proxy.Observability;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace EdgeGuard.Proxy.Filtering;

/// <summary>
/// Loads the filter in the background at start-up (the gateway forwards everything meanwhile), retrying
/// with backoff until every source has been read, then rebuilds on the configured interval and on demand.
/// A rebuild is built aside and swapped in; one that would shrink the filter by more than
/// <c>EdgeGuard:Bloom:MaxShrinkShare</c> is refused unless forced. A source whose configuration turns out to be
/// unusable once it can be read (<see cref="ConfigurationErrorException"/>) stops the gateway with exit code 2.
/// </summary>
public sealed class FilterLoader(
    ProductFilter filter,
    FilterBuilder builder,
    FilterKeyProvider keys,
    LocalFilterStore local,
    SnapshotRestorer restorer,
    SnapshotState snapshot,
    Caching.RedisConnection redis,
    IOptions<EdgeGuardOptions> options,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<FilterLoader> logger) : BackgroundService, IFilterReloader
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
        if (!redis.IsConfigured && local.IsEnabled)
        {
            var provenance = await builder.SnapshotProvenanceAsync(filter.Provenance, cancellationToken).ConfigureAwait(false);
            local.Save(filter.Current!, filter.Items, provenance);
        }

        var report = new FilterBuildReport(filter.Items, next.Duration, next.Filter.ExpectedItems, next.OutgrewConfiguredSize);
        LogMessages.FilterLoaded(logger, report.Items, report.Duration.TotalMilliseconds);
        return report;
    }

    /// <summary>Builds the first filter, retrying with backoff while a source cannot be read.</summary>
    public async Task LoadWithRetriesAsync(CancellationToken stoppingToken)
    {
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
        await firstLoad.ExecuteAsync(async ct => await ReloadAsync(force: true, ct).ConfigureAwait(false), stoppingToken).ConfigureAwait(false);
    }

    /// <summary>Standalone: the local snapshot at once if there is one, then the sources, then a rebuild every
    /// <c>ReloadInterval</c>. In a cluster the cluster's sync and leader do this instead.</summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (redis.IsConfigured)
        {
            return;
        }

        try
        {
            await RestoreLocalSnapshotAsync(stoppingToken).ConfigureAwait(false);
            await LoadWithRetriesAsync(stoppingToken).ConfigureAwait(false);
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
                    LogMessages.FilterReloadFailed(logger, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (ConfigurationErrorException e)
        {
            StopForConfiguration(e);
        }
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

    /// <summary>
    /// The local snapshot, in use at once when the restorer says it may reject; otherwise the gateway forwards until
    /// the first build. Ids journalled since it was taken go into whichever filter is put in use first.
    /// </summary>
    private async Task RestoreLocalSnapshotAsync(CancellationToken cancellationToken)
    {
        if (local.Load(keys.Configured) is not var (restored, journal))
        {
            keys.ResolveLocal(fromSnapshot: null);
            snapshot.Set(SnapshotStatus.None, local.IsEnabled ? "no local filter snapshot was found" : "no local filter snapshot is kept (EdgeGuard:Bloom:SnapshotPath is empty)");
            return;
        }

        keys.ResolveLocal(restored.Filter.Key);
        foreach (var id in journal)
        {
            filter.Add(id); // before any filter is in use: replayed into the first one committed
        }

        var decision = await restorer.DecideAsync(restored, "local", cancellationToken).ConfigureAwait(false);
        snapshot.Set(decision.Status, decision.Reason);
        if (decision is { Status: SnapshotStatus.Restored, Filter: { } usable })
        {
            using var rebuild = await filter.BeginRebuildAsync(cancellationToken).ConfigureAwait(false);
            rebuild.Commit(usable, carryOverCurrent: false);
            LogMessages.LocalSnapshotLoaded(logger, filter.Items, journal.Count);
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
