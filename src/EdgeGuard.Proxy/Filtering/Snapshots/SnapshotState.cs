namespace EdgeGuard.Proxy.Filtering.Snapshots;

/// <summary>What became of the filter snapshot found at start (the contract's <c>/bloom/stats</c> field <c>snapshot</c>).</summary>
public enum SnapshotStatus
{
    /// <summary>There was none (or none that could be read).</summary>
    None,

    /// <summary>It is in use: it rejects, from the first ready moment.</summary>
    Restored,

    /// <summary>It was built from the same sources, but it may miss ids created since (older than
    /// <c>ReloadInterval</c> with sources that cannot say what changed, or an incremental source not read up yet):
    /// the gateway forwards instead of rejecting until its rebuild (or catch-up) ends, then it is <see cref="Restored"/>.</summary>
    RestoredWaiting,

    /// <summary>It was built from other sources (another file, catalog or database): never used to reject.</summary>
    IgnoredOtherSources,
}

/// <summary>The snapshot's status for stats, readiness and the log; set at start, moved on when a rebuild ends.</summary>
public sealed class SnapshotState
{
    private readonly Lock _lock = new();
    private SnapshotStatus _status = SnapshotStatus.None;
    private string _reason = "no filter snapshot was found";

    public SnapshotStatus Status
    {
        get
        {
            lock (_lock)
            {
                return _status;
            }
        }
    }

    /// <summary>Why, in a sentence (readiness and the log).</summary>
    public string Reason
    {
        get
        {
            lock (_lock)
            {
                return _reason;
            }
        }
    }

    /// <summary>The contract's spelling of <see cref="Status"/>.</summary>
    public string Name => Status switch
    {
        SnapshotStatus.Restored => "restored",
        SnapshotStatus.RestoredWaiting => "restored-waiting",
        SnapshotStatus.IgnoredOtherSources => "ignored-other-sources",
        _ => "none",
    };

    public void Set(SnapshotStatus status, string reason)
    {
        lock (_lock)
        {
            (_status, _reason) = (status, reason);
        }
    }

    /// <summary>A filter built from the sources is in use: a snapshot that was waiting for it is now restored.</summary>
    public void RebuildEnded()
    {
        lock (_lock)
        {
            if (_status == SnapshotStatus.RestoredWaiting)
            {
                (_status, _reason) = (SnapshotStatus.Restored, "the snapshot's wait ended: a filter rebuilt from the sources is in use");
            }
        }
    }
}
