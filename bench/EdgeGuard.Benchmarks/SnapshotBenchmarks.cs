using BenchmarkDotNet.Attributes;
using EdgeGuard.Filter;

namespace EdgeGuard.Benchmarks;

/// <summary>
/// Writing and reading a snapshot of a full filter, in memory so that the figures are the library's
/// work (copying the bits, checksumming, validating) and not the disk's. Write goes to
/// <see cref="Stream.Null"/>; read comes from a <see cref="MemoryStream"/> over a snapshot made once.
/// </summary>
[MemoryDiagnoser]
[MedianColumn, MinColumn]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class SnapshotBenchmarks
{
    private BloomFilter _filter = null!;
    private byte[] _snapshot = null!;

    [Params(1_000_000, 10_000_000)]
    public int Items { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _filter = new BloomFilter(Items, BloomFilter.DefaultFalsePositiveRate);
        Span<char> id = stackalloc char[BenchmarkIds.MaxScaleIdLength];
        for (var i = 0; i < Items; i++)
        {
            _filter.Add(BenchmarkIds.FormatPresent(i, id));
        }

        using var stream = new MemoryStream();
        _filter.WriteTo(stream);
        _snapshot = stream.ToArray();
    }

    [Benchmark]
    public void WriteTo() => _filter.WriteTo(Stream.Null);

    [Benchmark]
    public long ReadFrom() => BloomFilter.ReadFrom(new MemoryStream(_snapshot, writable: false)).BitCount;
}
