namespace EdgeGuard.Proxy.Filtering;

/// <summary>
/// Whether the filter's "no" and the cache's answers may be trusted now. Standalone always (<see cref="AlwaysTrusted"/>);
/// a cluster member only while it is caught up with the cluster and a member in good standing, since otherwise writes
/// it has not seen may have completed elsewhere.
/// </summary>
public interface IFilterTrust
{
    bool IsTrusted { get; }
}

/// <summary>A standalone gateway sees every write itself: its filter is always trusted.</summary>
public sealed class AlwaysTrusted : IFilterTrust
{
    public static AlwaysTrusted Instance { get; } = new();

    public bool IsTrusted => true;
}

/// <summary>What the filter says of an id (<see cref="ProductFilter.Judge"/>).</summary>
public enum FilterVerdict
{
    /// <summary>The product cannot exist: a trusted filter is in use, it says no, and no write of the id is pending.</summary>
    Absent,

    /// <summary>The product may exist, and a cached answer for it may be used.</summary>
    MayExist,

    /// <summary>The product may exist, and no cached answer may be used for it: the filter is not trusted now, or a
    /// write of the id is in flight (its answer may change at any moment).</summary>
    Uncertain,
}
