using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using EdgeGuard.Filter;

namespace EdgeGuard.Benchmarks;

/// <summary>
/// MightContain and Add on standard-layout filters holding the full 1,000,000-id catalog (fill about 52 %),
/// against a naive filter, and the standard layout's branch-free read against its early exit. Each
/// invocation handles a batch of 16,384 random ids; results are per id. (The layouts compared:
/// <see cref="LayoutBenchmarks"/>.)
/// </summary>
[MemoryDiagnoser]
[MedianColumn, MinColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
public class LookupBenchmarks
{
    private BloomFilter _filter = null!;
    private NaiveBloomFilter _naive = null!;
    private string[] _present = null!;
    private string[] _absent = null!;
    private string[] _toAdd = null!;

    [GlobalSetup]
    public void Setup()
    {
        _filter = new BloomFilter(BloomFilter.DefaultExpectedItems, BloomFilter.DefaultFalsePositiveRate, BloomFilterLayout.Standard);
        _naive = new NaiveBloomFilter(_filter.BitCount, _filter.HashCount);
        for (var i = 0; i < BenchmarkIds.CatalogSize; i++)
        {
            var id = BenchmarkIds.Present(i);
            _filter.Add(id);
            _naive.Add(id);
        }

        _present = BenchmarkIds.PresentSample(seed: 1);
        _absent = BenchmarkIds.AbsentSample(seed: 2);
        _toAdd = BenchmarkIds.AbsentSample(seed: 3);
    }

    [BenchmarkCategory("MightContain present"), Benchmark(Baseline = true, OperationsPerInvoke = BenchmarkIds.Batch)]
    public int Naive_MightContain_Present() => CountNaive(_present);

    [BenchmarkCategory("MightContain present"), Benchmark(OperationsPerInvoke = BenchmarkIds.Batch)]
    public int MightContain_Present() => Count(_present);

    [BenchmarkCategory("MightContain present"), Benchmark(OperationsPerInvoke = BenchmarkIds.Batch)]
    public int EarlyExit_MightContain_Present() => CountEarlyExit(_present);

    [BenchmarkCategory("MightContain absent"), Benchmark(Baseline = true, OperationsPerInvoke = BenchmarkIds.Batch)]
    public int Naive_MightContain_Absent() => CountNaive(_absent);

    [BenchmarkCategory("MightContain absent"), Benchmark(OperationsPerInvoke = BenchmarkIds.Batch)]
    public int MightContain_Absent() => Count(_absent);

    [BenchmarkCategory("MightContain absent"), Benchmark(OperationsPerInvoke = BenchmarkIds.Batch)]
    public int EarlyExit_MightContain_Absent() => CountEarlyExit(_absent);

    /// <summary>After the first invocation these ids are present: the cost is hashing plus k atomic ORs either way.</summary>
    [BenchmarkCategory("Add"), Benchmark(Baseline = true, OperationsPerInvoke = BenchmarkIds.Batch)]
    public int Naive_Add()
    {
        var changed = 0;
        foreach (var id in _toAdd)
        {
            changed += _naive.Add(id) ? 1 : 0;
        }

        return changed;
    }

    [BenchmarkCategory("Add"), Benchmark(OperationsPerInvoke = BenchmarkIds.Batch)]
    public int Add()
    {
        var changed = 0;
        foreach (var id in _toAdd)
        {
            changed += _filter.Add(id) ? 1 : 0;
        }

        return changed;
    }

    private int Count(string[] ids)
    {
        var found = 0;
        foreach (var id in ids)
        {
            found += _filter.MightContain(id) ? 1 : 0;
        }

        return found;
    }

    private int CountEarlyExit(string[] ids)
    {
        var found = 0;
        foreach (var id in ids)
        {
            found += _filter.MightContainEarlyExit(id) ? 1 : 0;
        }

        return found;
    }

    private int CountNaive(string[] ids)
    {
        var found = 0;
        foreach (var id in ids)
        {
            found += _naive.MightContain(id) ? 1 : 0;
        }

        return found;
    }
}
