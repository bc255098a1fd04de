namespace EdgeGuard.Proxy.Filtering;

/// <summary>
/// Gives memory that putting a large filter in use just turned into garbage back to the operating system at once: the
/// replaced filter, a build's batches and strings, a snapshot's chunks (<see cref="ProductFilter.Rebuild.Commit"/>), and
/// on a cluster's leader the buffer its snapshot was written from. Left to itself the GC frees large objects only at a
/// full collection, which a gateway at rest may not run for hours, and keeps what it freed committed for allocations
/// that do not come, so the process would stay at its rebuild's peak (bench/RESULTS.md, "Fifty million ids, end to
/// end"). One full, blocking, aggressive collection (which also decommits what it freed) per filter put in use does it:
/// a short pause, since the filters' arrays hold no references to trace.
/// </summary>
internal static class MemoryRelease
{
    /// <summary>Less garbage than this is left to the GC's own schedule.</summary>
    public const long Threshold = 8L * 1024 * 1024; // a filter of about 6.4M ids

    /// <summary>Collects now when <paramref name="releasedBytes"/> (about what just became garbage) is worth it.</summary>
    public static void Collect(long releasedBytes)
    {
        if (releasedBytes >= Threshold)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }
    }
}
