using System.Diagnostics;
using EdgeGuard.Proxy.Filtering;

namespace EdgeGuard.Proxy.Cluster;

/// <summary>
/// Whether this member's filter may reject, and its cache answer (the filter asks, <see cref="IFilterTrust"/>): only
/// while it has a filter installed and verified since its last join, no reload is due, its pending set has room, it
/// has read the stream up to the end last seen when it (re)joined or came back, and its membership lease holds (a
/// heartbeat Redis confirmed within <c>MembershipTtl</c> less one interval). Writers treat a member as gone only after
/// that TTL, so a member cut off stops rejecting before a write it did not see can complete.
/// <para>
/// The decision is taken under one lock from inputs that several loops change (joining, applying, heartbeats), so a
/// decision made on an old catch-up target is never written after a newer one. Reading it is lock-free.
/// </para>
/// </summary>
public sealed class ClusterTrust(Doorbell doorbell) : IFilterTrust
{
    private readonly Lock _lock = new();
    private bool _installed;
    private bool _verified;
    private bool _pendingOverflow;
    private bool _reloadDue;
    private bool _reloadFromSources;
    private long _catchUpTarget = long.MaxValue;
    private volatile bool _trusted;
    private long _leaseUntil = long.MaxValue; // the join registers with a heartbeat Redis confirmed; the loop renews it

    public bool IsTrusted => _trusted && Stopwatch.GetTimestamp() < Volatile.Read(ref _leaseUntil);

    /// <summary>True while a reload is requested and not yet begun.</summary>
    public bool ReloadDue
    {
        get
        {
            lock (_lock)
            {
                return _reloadDue;
            }
        }
    }

    /// <summary>A join begins: nothing is trusted until it has installed and verified a filter and caught up.</summary>
    /// <returns>Whether the reload that led here must read the sources (not a snapshot).</returns>
    public bool BeginJoin()
    {
        lock (_lock)
        {
            var fromSources = _reloadFromSources;
            (_reloadDue, _reloadFromSources, _installed, _verified, _trusted) = (false, false, false, false, false);
            _catchUpTarget = long.MaxValue;
            return fromSources;
        }
    }

    /// <summary>The filter in use is the one this join meant (a snapshot that may reject, or a build from the sources).</summary>
    public void Installed() => Set(() => _installed = true);

    /// <summary>The join's filter cannot miss a write acknowledged before it (see <c>ClusterJoin.VerifyAsync</c>).</summary>
    public void Verified() => Set(() => _verified = true);

    public bool IsVerified
    {
        get
        {
            lock (_lock)
            {
                return _verified;
            }
        }
    }

    /// <summary>Trusted again only once the stream is applied up to <paramref name="end"/>.</summary>
    public void CatchUpTo(LogPosition end) => Set(() =>
    {
        _catchUpTarget = end.Packed;
        _trusted = false;
    });

    /// <summary>The lease a confirmed heartbeat gives: trusted until this <see cref="Stopwatch"/> timestamp at most.</summary>
    public void LeaseUntil(long timestamp) => Volatile.Write(ref _leaseUntil, timestamp);

    /// <summary>The pending set is full: an open write's id cannot be kept safe, so nothing is trusted until it drains.</summary>
    public void PendingOverflowed() => Set(() =>
    {
        _pendingOverflow = true;
        _trusted = false;
    });

    public void PendingDrained() => Set(() => _pendingOverflow = false);

    public bool HasPendingOverflow
    {
        get
        {
            lock (_lock)
            {
                return _pendingOverflow;
            }
        }
    }

    /// <summary>This member must load its filter again (from the sources when <paramref name="fromSources"/>); nothing
    /// is trusted meanwhile.</summary>
    public void RequestReload(bool fromSources = false)
    {
        Set(() =>
        {
            _reloadDue = true;
            _reloadFromSources |= fromSources;
            _trusted = false;
        });
        doorbell.Ring();
    }

    /// <summary>Decides from the inputs and how far the stream is applied.</summary>
    public void Refresh(LogPosition applied) => Set(() =>
        _trusted = _installed && _verified && !_pendingOverflow && !_reloadDue && applied.Packed >= _catchUpTarget);

    private void Set(Action change)
    {
        lock (_lock)
        {
            change();
        }
    }
}
