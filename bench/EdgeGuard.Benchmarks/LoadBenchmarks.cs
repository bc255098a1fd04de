using BenchmarkDotNet.Attributes;
using EdgeGuard.Filter;

namespace EdgeGuard.Benchmarks;

/// <summary>
/// Building the gateway's filter from a 1,000,000-line products.txt, as at start-up and on reload; plus
/// its two halves (parsing alone, adding from memory alone) to show where the time goes.
/// </summary>
[MemoryDiagnoser]
[MedianColumn, MinColumn]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 10)]
public class LoadBenchmarks
{
    private string _path = null!;
    private string[] _ids = null!;

    [GlobalSetup]
    public void Setup()
    {
        _ids = Enumerable.Range(0, BenchmarkIds.CatalogSize).Select(BenchmarkIds.Present).ToArray();
        _path = Path.Combine(Path.GetTempPath(), $"edgeguard-bench-products-{Environment.ProcessId}.txt");
        File.WriteAllLines(_path, _ids);
    }

    [GlobalCleanup]
    public void Cleanup() => File.Delete(_path);

    [Benchmark(Baseline = true)]
    public long LoadFromFile()
    {
        var filter = new BloomFilter();
        return filter.AddFromFile(_path, ProductIdRule.Default).Added;
    }

    [Benchmark]
    public long ParseFileOnly()
    {
        var report = new ProductsFileReport();
        long count = 0;
        foreach (var _ in ProductsFile.Read(_path, ProductIdRule.Default, report))
        {
            count++;
        }

        return count;
    }

    [Benchmark]
    public long AddAllFromMemory()
    {
        var filter = new BloomFilter();
        return filter.AddAll(_ids).Added;
    }
}
