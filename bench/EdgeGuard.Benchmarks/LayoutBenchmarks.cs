using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using EdgeGuard.Filter;

namespace EdgeGuard.Benchmarks;

/// <summary>
/// The two layouts side by side at the gateway's default size (n = 1,000,000, p = 0.01, keyed with one random
/// key), each filter holding the same 1,000,000 ids and looked up with the same batches of 16,384 random ids
/// as <see cref="LookupBenchmarks"/>; the blocked layout also on its scalar path, which CPUs without AVX2 run.
/// Results are per id; the standard layout is the baseline.
/// <c>dotnet run -c Release --project bench/EdgeGuard.Benchmarks -- --filter '*LayoutBenchmarks*'</c>
/// </summary>
[MemoryDiagnoser]
[MedianColumn, MinColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
public class LayoutBenchmarks
{
    private BloomFilter _standard = null!;
    private BloomFilter _blocked = null!;
    private BloomFilter _blockedScalar = null!;
    private string[] _present = null!;
    private string[] _absent = null!;
    private string[] _toAdd = null!;

    [GlobalSetup]
    public void Setup()
    {
        var key = BloomFilterKey.NewRandom();
        _standard = new BloomFilter(BloomFilter.DefaultExpectedItems, BloomFilter.DefaultFalsePositiveRate, BloomFilterLayout.Standard, key);
        _blocked = new BloomFilter(BloomFilter.DefaultExpectedItems, BloomFilter.DefaultFalsePositiveRate, BloomFilterLayout.Blocked, key);
        _blockedScalar = new BloomFilter(BloomFilter.DefaultExpectedItems, BloomFilter.DefaultFalsePositiveRate, BloomFilterLayout.Blocked, key) { UsesAvx2 = false };
        for (var i = 0; i < BenchmarkIds.CatalogSize; i++)
        {
            var id = BenchmarkIds.Present(i);
            _standard.Add(id);
            _blocked.Add(id);
            _blockedScalar.Add(id);
        }

        _present = BenchmarkIds.PresentSample(seed: 1);
        _absent = BenchmarkIds.AbsentSample(seed: 2);
        _toAdd = BenchmarkIds.AbsentSample(seed: 3);
    }

    [BenchmarkCategory("MightContain absent"), Benchmark(Baseline = true, OperationsPerInvoke = BenchmarkIds.Batch)]
    public int Standard_MightContain_Absent() => Count(_standard, _absent);

    [BenchmarkCategory("MightContain absent"), Benchmark(OperationsPerInvoke = BenchmarkIds.Batch)]
    public int Blocked_MightContain_Absent() => Count(_blocked, _absent);

    [BenchmarkCategory("MightContain absent"), Benchmark(OperationsPerInvoke = BenchmarkIds.Batch)]
    public int BlockedScalar_MightContain_Absent() => Count(_blockedScalar, _absent);

    [BenchmarkCategory("MightContain present"), Benchmark(Baseline = true, OperationsPerInvoke = BenchmarkIds.Batch)]
    public int Standard_MightContain_Present() => Count(_standard, _present);

    [BenchmarkCategory("MightContain present"), Benchmark(OperationsPerInvoke = BenchmarkIds.Batch)]
    public int Blocked_MightContain_Present() => Count(_blocked, _present);

    [BenchmarkCategory("MightContain present"), Benchmark(OperationsPerInvoke = BenchmarkIds.Batch)]
    public int BlockedScalar_MightContain_Present() => Count(_blockedScalar, _present);

    /// <summary>After the first invocation these ids are present: hashing and a read, plus k atomic ORs in the standard layout.</summary>
    [BenchmarkCategory("Add"), Benchmark(Baseline = true, OperationsPerInvoke = BenchmarkIds.Batch)]
    public int Standard_Add() => AddAll(_standard, _toAdd);

    [BenchmarkCategory("Add"), Benchmark(OperationsPerInvoke = BenchmarkIds.Batch)]
    public int Blocked_Add() => AddAll(_blocked, _toAdd);

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
