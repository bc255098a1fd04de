using EdgeGuard.Filter;
using EdgeGuard.Proxy.Configuration;
using EdgeGuard.Proxy.Filtering.Sources;
using EdgeGuard.Proxy.Observability;

namespace EdgeGuard.Proxy.Filtering.Snapshots;

/// <summary>How a snapshot found at start may be used, and the filter to use (caught up where its sources could say).</summary>
/// <param name="Filter">The snapshot's filter, with what its incremental sources added since read into it; null when ignored.</param>
public sealed record RestoreDecision(SnapshotStatus Status, BuiltFilter? Filter, string Reason);

/// <summary>
/// Decides whether a filter snapshot (local or the cluster's) may reject at a restart. A restart must never make
/// the window in which an id created behind the gateway's back is rejected longer than it is while running:
/// <list type="bullet">
/// <item>one built from other sources (<see cref="IdSourceSet.Identity"/>) is ignored;</item>
/// <item>a source that can list what it gained since the snapshot's position (an incremental query) is read into the
/// snapshot's filter first; one that can say it is unchanged (a products file of the same size and time) needs nothing;</item>
/// <item>a source that cannot say (the catalog's id list, a plain query) makes the snapshot good only while it is
/// younger than <c>ReloadInterval</c> (a running gateway learns such ids by its next rebuild); an older one waits
/// for the rebuild, forwarding meanwhile.</item>
/// </list>
/// </summary>
public sealed class SnapshotRestorer(
    IdSourceSet sources,
    ProductIdRule idRule,
    IOptions<EdgeGuardOptions> options,
    TimeProvider time,
    ILogger<SnapshotRestorer> logger)
{
    /// <summary>Rows read per query while catching up.</summary>
    private const int CatchUpPage = 10_000;

    /// <summary>True when <paramref name="provenance"/> names the configured sources (a snapshot of them may be taken).</summary>
    public bool IsFromConfiguredSources(FilterProvenance? provenance) => provenance?.Sources == sources.Identity;

    /// <param name="snapshot">The snapshot's filter as read, with its provenance (null for a snapshot that has none).</param>
    /// <param name="where">Where it was read from, for the log ("local" or "cluster").</param>
    public async Task<RestoreDecision> DecideAsync(BuiltFilter snapshot, string where, CancellationToken cancellationToken)
    {
        var decision = await DecideCoreAsync(snapshot, cancellationToken).ConfigureAwait(false);
        LogMessages.SnapshotDecided(logger, where, decision.Status, decision.Reason);
        return decision;
    }

    private async Task<RestoreDecision> DecideCoreAsync(BuiltFilter snapshot, CancellationToken cancellationToken)
    {
        var provenance = snapshot.Provenance;
        if (provenance is null || !IsFromConfiguredSources(provenance))
        {
            return new RestoreDecision(SnapshotStatus.IgnoredOtherSources, null,
                $"the snapshot was built from other id sources ({provenance?.Sources ?? "not recorded"}) than the configured ones ({sources.Identity}); it is not used to reject");
        }

        var age = time.GetUtcNow() - provenance.ReadAt;
        var silent = new List<string>();
        var readable = new List<(IIncrementalIdSource Source, string Position)>();
        foreach (var source in sources.All)
        {
            var since = provenance.Positions.TryGetValue(source.Name, out var position)
                ? await source.SinceAsync(position, cancellationToken).ConfigureAwait(false)
                : SinceSnapshot.Unknown;
            switch (since)
            {
                case SinceSnapshot.Readable when source is IIncrementalIdSource incremental:
                    readable.Add((incremental, position!));
                    break;
                case SinceSnapshot.Unchanged:
                    break;
                default:
                    silent.Add(source.Name);
                    break;
            }
        }

        if (silent.Count > 0 && options.Value.Bloom.ReloadInterval is { } interval && age > interval)
        {
            return new RestoreDecision(SnapshotStatus.RestoredWaiting, snapshot,
                $"the snapshot's sources were read {Describe(age)} ago, longer than ReloadInterval ({Describe(interval)}), and {string.Join(", ", silent)} cannot say what changed since: " +
                "requests are forwarded unfiltered until the rebuild from the sources ends");
        }

        var caughtUp = snapshot;
        foreach (var (source, position) in readable)
        {
            try
            {
                caughtUp = await CatchUpAsync(caughtUp, source, position, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return new RestoreDecision(SnapshotStatus.RestoredWaiting, snapshot,
                    $"what {source.Name} gained since the snapshot could not be read ({e.Message}): requests are forwarded unfiltered until the rebuild from the sources ends");
            }
        }

        var added = caughtUp.Items - snapshot.Items;
        return new RestoreDecision(SnapshotStatus.Restored, caughtUp,
            $"the snapshot ({snapshot.Items} ids, its sources read {Describe(age)} ago) rejects from the first ready moment" +
            (readable.Count > 0 ? $"; {added} ids created since were read from {string.Join(", ", readable.Select(r => r.Source.Name))} first" : ""));
    }

    /// <summary>Reads what <paramref name="source"/> gained after <paramref name="position"/> into the snapshot's
    /// filter (not in use yet), and leaves the source's cursor after it: its poller goes on from there.</summary>
    private async Task<BuiltFilter> CatchUpAsync(BuiltFilter snapshot, IIncrementalIdSource source, string position, CancellationToken cancellationToken)
    {
        source.StartFrom(position);
        var items = snapshot.Items;
        while (true)
        {
            var batch = await source.ReadNewAsync(CatchUpPage, cancellationToken).ConfigureAwait(false);
            foreach (var id in batch.Ids)
            {
                if (idRule.IsValid(id) && !snapshot.Filter.MightContain(id))
                {
                    snapshot.Filter.Add(id);
                    items++;
                }
            }

            source.Advance(batch);
            if (!batch.MayHaveMore)
            {
                break;
            }
        }

        var moved = await source.PositionAsync(cancellationToken).ConfigureAwait(false);
        return snapshot with
        {
            Items = items,
            Provenance = moved is null ? snapshot.Provenance : snapshot.Provenance!.With(new Dictionary<string, string> { [source.Name] = moved }),
        };
    }

    private static string Describe(TimeSpan span) =>
        span.TotalSeconds < 120 ? $"{span.TotalSeconds:0.#} s" : span.TotalMinutes < 120 ? $"{span.TotalMinutes:0.#} min" : $"{span.TotalHours:0.#} h";
}
