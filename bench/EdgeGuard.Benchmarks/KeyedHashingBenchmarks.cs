using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using EdgeGuard.Filter;

namespace EdgeGuard.Benchmarks;

/// <summary>
/// Keyed against unkeyed hashing, side by side in one run: two default filters (n = 1,000,000,
/// p = 0.01) each holding the same 1,000,000 ids, looked up with the same batches of 16,384 random ids
/// as <see cref="LookupBenchmarks"/>. Results are per id; the unkeyed filter is the baseline.
/// </summary>
[MemoryDiagnoser]
[MedianColumn, MinColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
public class KeyedHashingBenchmarks
{
    private BloomFilter _unkeyed = null!;
    private BloomFilter _keyed = null!;
    private string[] _present = null!;
    private string[] _absent = null!;
    private string[] _toAdd = null!;

    [GlobalSetup]
    public void Setup()
    {
        _unkeyed = new BloomFilter();
        _keyed = new BloomFilter(BloomFilter.DefaultExpectedItems, BloomFilter.DefaultFalsePositiveRate, BloomFilterKey.NewRandom());
        for (var i = 0; i < BenchmarkIds.CatalogSize; i++)
        {
            var id = BenchmarkIds.Present(i);
            _unkeyed.Add(id);
            _keyed.Add(id);
        }

        _present = BenchmarkIds.PresentSample(seed: 1);
        _absent = BenchmarkIds.AbsentSample(seed: 2);
        _toAdd = BenchmarkIds.AbsentSample(seed: 3);
    }

    [BenchmarkCategory("MightContain absent"), Benchmark(Baseline = true, OperationsPerInvoke = BenchmarkIds.Batch)]
    public int Unkeyed_MightContain_Absent() => Count(_unkeyed, _absent);

    [BenchmarkCategory("MightContain absent"), Benchmark(OperationsPerInvoke = BenchmarkIds.Batch)]
    public int Keyed_MightContain_Absent() => Count(_keyed, _absent);

    [BenchmarkCategory("MightContain present"), Benchmark(Baseline = true, OperationsPerInvoke = BenchmarkIds.Batch)]
    public int Unkeyed_MightContain_Present() => Count(_unkeyed, _present);

    [BenchmarkCategory("MightContain present"), Benchmark(OperationsPerInvoke = BenchmarkIds.Batch)]
    public int Keyed_MightContain_Present() => Count(_keyed, _present);

    /// <summary>After the first invocation these ids are present: the cost is hashing plus k atomic ORs either way.</summary>
    [BenchmarkCategory("Add"), Benchmark(Baseline = true, OperationsPerInvoke = BenchmarkIds.Batch)]
    public int Unkeyed_Add() => AddAll(_unkeyed, _toAdd);

    [BenchmarkCategory("Add"), Benchmark(OperationsPerInvoke = BenchmarkIds.Batch)]
    public int Keyed_Add() => AddAll(_keyed, _toAdd);

    private static int Count(BloomFilter filter, string[] ids)
    {
        var found = 0;
        foreach (var id in ids)
        {
            found += filter.MightContain(id) ? 1 : 0;
        }

        return found;
    }

    private static int AddAll(BloomFilter filter, string[] ids)
    {
        var changed = 0;
        foreach (var id in ids)
        {
            changed += filter.Add(id) ? 1 : 0;
        }

        return changed;
    }
}
