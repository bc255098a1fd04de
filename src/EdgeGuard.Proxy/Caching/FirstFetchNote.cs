namespace EdgeGuard.Proxy.Caching;

/// <summary>
/// A fill of an id this instance's memory holds nothing of, and what Redis held of it when FusionCache read it,
/// before FusionCache asks for the distributed lock. Nothing at either level means no instance read the id within
/// its fail-safe window: the lock would save no catalog request worth its round trips and release (at most one
/// fetch per instance), so the fill takes none. Anything in Redis, fresh or kept for fail-safe, means the id is read
/// across the cluster, and its fetch takes the lock: one catalog request per expiry, cluster-wide. No answer in time (a
/// read Redis failed, or one FusionCache gave up on at <c>RedisTimeout</c>) means the lock would most likely go
/// unanswered too, after a second wait: the fill takes none, as it would after a lock attempt that timed out.
/// The note flows with its fill (an async local, set for the fill's duration by <see cref="ProductCache"/>);
/// <see cref="NotingDistributedCache"/> writes it, <see cref="ResponsiveDistributedLocker"/> reads it.
/// </summary>
internal sealed class FirstFetchNote
{
    private static readonly AsyncLocal<FirstFetchNote?> Current = new();

    private volatile bool _sharedLevelHeldSomething;
    private volatile bool _sharedLevelAnswered;

    /// <summary>True once Redis answered that it holds something of the id; false before any answer, after one that
    /// found nothing, or when the read failed.</summary>
    public bool TakesLock => _sharedLevelHeldSomething;

    /// <summary>True once Redis answered that it holds nothing of the id: then no other instance holds it either,
    /// unless it is fetching it for the first time too (see <see cref="ProductCache.QuietFirstFetch"/>).</summary>
    public bool NothingHeld => _sharedLevelAnswered && !_sharedLevelHeldSomething;

    /// <summary>The note of the fill running in this flow, if it is a first fetch.</summary>
    public static FirstFetchNote? InThisFlow => Current.Value;

    /// <summary>Starts a note for the fill about to run in this flow (the caller is an async method, so the note
    /// ends with it).</summary>
    public static void Begin() => Current.Value = new FirstFetchNote();

    /// <summary>Redis's answer to the fill's read: <paramref name="found"/> is whether it held anything of the id.</summary>
    public void SharedLevelAnswered(bool found)
    {
        _sharedLevelHeldSomething = found;
        _sharedLevelAnswered = true;
    }
}
