namespace EdgeGuard.Faults.Faults;

/// <summary>The faults the harness runs, in order: the full matrix, and the short run CI takes.</summary>
public static class FaultMatrix
{
    public static IReadOnlyList<IFault> Full { get; } =
    [
        new RedisPartition("redis-partition-short", TimeSpan.FromSeconds(4)),
        new RedisPartition("redis-partition-long", TimeSpan.FromSeconds(25)),
        new CatalogPartition(TimeSpan.FromSeconds(10)),
        new RedisLatency(TimeSpan.FromSeconds(10)),
        new RedisFreeze(TimeSpan.FromSeconds(12)),
        new RedisFailover(TimeSpan.FromSeconds(3)),
        new GatewayKill(),
        new CatalogKill(TimeSpan.FromSeconds(10)),
        new RedisClusterNodeFreeze(TimeSpan.FromSeconds(12)),
    ];

    /// <summary>Two faults, about two minutes: a partition longer than the membership TTL, and a gateway killed mid-write.</summary>
    public static IReadOnlyList<IFault> Short { get; } = [.. Full.Where(fault => fault.Key is "redis-partition-long" or "gateway-kill")];

    /// <summary>The faults named by <paramref name="keys"/>, in the matrix's order; throws naming an unknown key.</summary>
    public static IReadOnlyList<IFault> Select(IReadOnlyCollection<string> keys)
    {
        var unknown = keys.Where(key => Full.All(fault => fault.Key != key)).ToList();
        return unknown.Count == 0
            ? [.. Full.Where(fault => keys.Contains(fault.Key))]
            : throw new ArgumentException($"unknown fault {string.Join(", ", unknown)}; the faults are {string.Join(", ", Full.Select(fault => fault.Key))}");
    }
}
