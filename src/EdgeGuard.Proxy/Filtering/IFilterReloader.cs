namespace EdgeGuard.Proxy.Filtering;

/// <summary>Rebuilds the filter from its sources on demand (an admin's <c>POST /bloom/reload</c>): on this
/// instance standalone; in a cluster also for every other instance, through a snapshot.</summary>
public interface IFilterReloader
{
    /// <exception cref="FilterShrinkRefusedException">The rebuild would shrink the filter too much and was not forced.</exception>
    Task<FilterBuildReport> ReloadAsync(bool force, CancellationToken cancellationToken);
}

/// <summary>Who does the work one instance should do for everyone (rebuilds, polls of the catalog's database).</summary>
public interface ILeadership
{
    /// <summary>True standalone; in a cluster, on the instance holding the leader's lease.</summary>
    bool IsLeader { get; }
}

/// <summary>Standalone, this instance does everything itself.</summary>
public sealed class StandaloneLeadership : ILeadership
{
    public bool IsLeader => true;
}
