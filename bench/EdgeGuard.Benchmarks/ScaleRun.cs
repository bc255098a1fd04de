using System.Diagnostics;
using System.Runtime;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using EdgeGuard.Filter;

namespace EdgeGuard.Benchmarks;

/// <summary>
/// The keyed filter at catalog sizes beyond the gateway's default, one pass per size (not
/// BenchmarkDotNet: a 50,000,000-id build takes seconds and is run once):
/// <c>dotnet run -c Release --project bench/EdgeGuard.Benchmarks -- --scale [n ...]</c>
/// (default sizes 1,000,000, 10,000,000 and 50,000,000 at p = 0.01).
/// </summary>
/// <remarks>
/// Ids are spelled on the fly into a stack buffer ("SKU-" and the number, as <see cref="BenchmarkIds"/>),
/// so no list of ids is ever held: the process holds the filter and little else. Per size: the time to
/// add n ids to an empty filter (allocating it included); the snapshot's size and the time to write it to
/// a file (through the page cache, no fsync); the time to read it back with
/// <see cref="BloomFilter.ReadFrom(Stream, long, double, BloomFilterKey)"/> from that file, which is then
/// in the page cache (a warm start); the bit array's bytes and the managed heap after the load, the built
/// filter collected; <c>MightContain</c> per id for 16,384 random absent and present ids, interleaved
/// rounds, median and fastest round; and the share of 1,000,000 absent ids let through.
/// </remarks>
internal static class ScaleRun
{
    private const double FalsePositiveRate = 0.01;
    private const int LookupRounds = 31;
    private const int FalsePositiveProbes = 1_000_000;
    private static readonly long[] DefaultSizes = [1_000_000, 10_000_000, 50_000_000];

    public static void Run(IReadOnlyList<string> sizes)
    {
        var counts = sizes.Count == 0 ? DefaultSizes : sizes.Select(long.Parse).ToArray();
        Console.WriteLine($"start {DateTime.UtcNow:yyyy-MM-dd HH:mm:ss} UTC, load average {LoadAverage()}");
        Console.WriteLine($"{RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}, {Environment.ProcessorCount} logical cores, " +
            $"{(GCSettings.IsServerGC ? "server" : "workstation")} GC, latency mode {GCSettings.LatencyMode}");

        var key = BloomFilterKey.NewRandom();
        var directory = Directory.CreateTempSubdirectory("edgeguard-scale-");
        try
        {
            WarmUp(key, directory.FullName);
            Console.WriteLine();
            Console.WriteLine("| n | m (bits) | k | build (add n ids) | snapshot bytes | write | load (warm) | bit array bytes | managed heap after load | MightContain absent median (min) | present median (min) | absent ids let through | load average before |");
            Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var n in counts)
            {
                Console.WriteLine(Measure(n, key, directory.FullName));
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }

        Console.WriteLine();
        Console.WriteLine($"end {DateTime.UtcNow:yyyy-MM-dd HH:mm:ss} UTC, load average {LoadAverage()}");
    }

    /// <summary>
    /// Runs every measured path a few times, not reported, pausing so that tiered compilation installs
    /// optimized code (it waits for 100 ms without new tier-0 methods) before the first size is timed.
    /// </summary>
    private static void WarmUp(BloomFilterKey key, string directory)
    {
        for (var pass = 0; pass < 3; pass++)
        {
            Measure(100_000, key, directory);
            Thread.Sleep(250);
        }
    }

    private static string Measure(long n, BloomFilterKey key, string directory)
    {
        var loadBefore = LoadAverage();
        var path = Path.Combine(directory, $"filter-{n}.egbf");
        Collect();
        var (build, write, bitCount, hashCount) = BuildAndWrite(n, key, path);
        Collect(); // the built filter is unreachable now: the heap below holds the loaded one only

        var start = Stopwatch.GetTimestamp();
        BloomFilter loaded;
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16))
        {
            loaded = BloomFilter.ReadFrom(file, n, FalsePositiveRate, key);
        }

        var load = Stopwatch.GetElapsedTime(start);
        var heapAfterLoad = GC.GetTotalMemory(forceFullCollection: true);

        var (absent, present) = Lookups(loaded, n);
        var letThrough = FalsePositiveShare(loaded);
        return $"| {n:N0} | {bitCount:N0} | {hashCount} | {Seconds(build)} | {new FileInfo(path).Length:N0} | {Seconds(write)} | {Seconds(load)} | " +
            $"{loaded.MemoryBytes:N0} | {heapAfterLoad:N0} | {absent} | {present} | {letThrough:P3} | {loadBefore} |";
    }

    /// <summary>Not inlined, so that the built filter is unreachable once it returns (tier-0 code keeps locals alive to the end of a method).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (TimeSpan Build, TimeSpan Write, long BitCount, int HashCount) BuildAndWrite(long n, BloomFilterKey key, string path)
    {
        var start = Stopwatch.GetTimestamp();
        var filter = Build(n, key);
        var build = Stopwatch.GetElapsedTime(start);

        start = Stopwatch.GetTimestamp();
        using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
        {
            filter.WriteTo(file);
        }

        return (build, Stopwatch.GetElapsedTime(start), filter.BitCount, filter.HashCount);
    }

    private static BloomFilter Build(long n, BloomFilterKey key)
    {
        var filter = new BloomFilter(n, FalsePositiveRate, key);
        Span<char> id = stackalloc char[BenchmarkIds.MaxScaleIdLength];
        for (var i = 0; i < n; i++)
        {
            filter.Add(BenchmarkIds.FormatPresent(i, id));
        }

        return filter;
    }

    /// <summary>Absent and present lookups in alternating rounds, so that both see the same interference.</summary>
    private static (string Absent, string Present) Lookups(BloomFilter filter, long n)
    {
        var random = new Random(20261125);
        var absentIds = Enumerable.Range(0, BenchmarkIds.Batch).Select(_ => BenchmarkIds.Absent(random.Next((int)Math.Min(n, int.MaxValue)))).ToArray();
        var presentIds = Enumerable.Range(0, BenchmarkIds.Batch).Select(_ => BenchmarkIds.Present(random.Next((int)Math.Min(n, int.MaxValue)))).ToArray();
        if (!presentIds.All(filter.MightContain))
        {
            throw new InvalidOperationException("A present id was not found: a false negative.");
        }

        var absent = new double[LookupRounds];
        var present = new double[LookupRounds];
        for (var round = 0; round < LookupRounds; round++)
        {
            absent[round] = QuickCheck.TimeBranchFree(filter, absentIds);
            present[round] = QuickCheck.TimeBranchFree(filter, presentIds);
        }

        return (MedianAndMin(absent), MedianAndMin(present));
    }

    private static double FalsePositiveShare(BloomFilter filter)
    {
        Span<char> id = stackalloc char[BenchmarkIds.MaxScaleIdLength];
        var positives = 0;
        for (var i = 0; i < FalsePositiveProbes; i++)
        {
            positives += filter.MightContain(BenchmarkIds.FormatAbsent(i, id)) ? 1 : 0;
        }

        return (double)positives / FalsePositiveProbes;
    }

    private static void Collect()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
    }

    private static string MedianAndMin(double[] nanoseconds)
    {
        Array.Sort(nanoseconds);
        return $"{nanoseconds[nanoseconds.Length / 2]:F1} ns ({nanoseconds[0]:F1})";
    }

    private static string Seconds(TimeSpan elapsed) =>
        elapsed.TotalSeconds >= 1 ? $"{elapsed.TotalSeconds:F2} s" : $"{elapsed.TotalMilliseconds:F1} ms";

    /// <summary>The 1-minute load average (the machine is shared), or "n/a" where /proc/loadavg does not exist.</summary>
    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";
}
