namespace EdgeGuard.Proxy.Tests.Infrastructure;

/// <summary>Redis tests run one class at a time: each starts its own servers, but they share two cores.</summary>
[CollectionDefinition(Name)]
public sealed class RedisCollection
{
    public const string Name = "Redis";
}

/// <summary>Cluster tests run one class at a time: each starts a Redis, a catalog and three gateway processes.</summary>
[CollectionDefinition(Name)]
public sealed class ClusterCollection
{
    public const string Name = "Cluster";
}

/// <summary>
/// Tests that measure the process's memory (<see cref="GC.GetTotalMemory(bool)"/>) run alone, after the parallel
/// ones: another test allocating meanwhile would be counted as theirs.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessMemoryCollection
{
    public const string Name = "Process memory";
}
