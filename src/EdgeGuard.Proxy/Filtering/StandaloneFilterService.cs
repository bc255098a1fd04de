using EdgeGuard.Proxy.Configuration;
using EdgeGuard.Proxy.Filtering.Snapshots;
using EdgeGuard.Proxy.Observability;

namespace EdgeGuard.Proxy.Filtering;

/// <summary>
/// Keeps a standalone gateway's filter: the local snapshot at once when the restorer says it may reject (the gateway
/// forwards everything until a filter is in use), then the sources, then a rebuild every <c>ReloadInterval</c> and on
/// an admin's demand. Each rebuild is saved as the local snapshot (<c>EdgeGuard:Bloom:SnapshotPath</c>).
/// </summary>
public sealed class StandaloneFilterService(
    FilterLoader loader,
    ProductFilter filter,
    FilterBuilder builder,
    FilterKeyProvider keys,
    LocalFilterStore local,
    SnapshotRestorer restorer,
    SnapshotState snapshot,
    IOptions<EdgeGuardOptions> options,
    TimeProvider time,
    ILogger<StandaloneFilterService> logger) : BackgroundService, IFilterReloader
{
    public async Task<FilterBuildReport> ReloadAsync(bool force, CancellationToken cancellationToken)
    {
        var report = await loader.ReloadAsync(force, cancellationToken).ConfigureAwait(false);
        if (local.IsEnabled)
        {
            var provenance = await builder.SnapshotProvenanceAsync(filter.Provenance, cancellationToken).ConfigureAwait(false);
            local.Save(filter.Current!, filter.Items, provenance);
        }

        return report;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await RestoreLocalSnapshotAsync(stoppingToken).ConfigureAwait(false);
            await loader.LoadWithRetriesAsync(stoppingToken, this).ConfigureAwait(false);
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
            loader.StopForConfiguration(e);
        }
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
