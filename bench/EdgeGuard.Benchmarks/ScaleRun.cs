using System.Diagnostics;
using System.IO.Hashing;
using System.Runtime;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using EdgeGuard.Filter;

namespace EdgeGuard.Benchmarks;

/// <summary>
/// The keyed filter at catalog sizes beyond the gateway's default, per layout, one pass per size (not
/// BenchmarkDotNet: a 100,000,000-id build takes many seconds and is run once). The command:
/// <code>
/// dotnet build bench/EdgeGuard.Benchmarks -c Release
/// bench/EdgeGuard.Benchmarks/bin/Release/net10.0/EdgeGuard.Benchmarks --scale [standard|blocked ...] [n ...]
/// </code>
/// Without arguments: both layouts at 1,000,000, 10,000,000, 50,000,000 and 100,000,000 ids, p = 0.01
/// (about 15 minutes on the 2-core machine, most of it the standard layout's sequential builds; peak memory
/// about three times the largest filter, 375 MB). <c>--scale 1000000 10000000</c> is the quick check.
/// </summary>
/// <remarks>
/// Ids are spelled on the fly into a stack buffer ("SKU-" and the number, as <see cref="BenchmarkIds"/>),
/// so no list of ids is ever held: the process holds the filters and little else. Per layout and size:
/// <list type="bullet">
/// <item>build, sequential: allocate the filter and <c>Add</c> n ids on one thread;</item>
/// <item>build, parallel: the same ids through a <see cref="ParallelBloomFilterBuilder"/> (one worker per
/// core), checked to give the very same bits (XxHash64 of both arrays);</item>
/// <item>snapshot: its size, and the time to write it to a file (page cache, no fsync) and to read it back
/// with <see cref="BloomFilter.ReadFrom(Stream, long, double, BloomFilterKey)"/> from that file, now in the
/// page cache (a warm start);</item>
/// <item>memory: the bit array's bytes, and the managed heap after the load with the built filters collected;</item>
/// <item><c>MightContain</c> per id, median and fastest of 9 interleaved rounds: hot (1,024 present ids
/// looked up 1,024 times each, so their bits stay in cache), and 1,048,576 distinct random present and
/// absent ids (a million different cache lines per round: for filters larger than the caches, each
/// lookup's lines come from memory, as for a gateway's random traffic);</item>
/// <item>the share of 10,000,000 absent ids let through, next to the layout's formula p'.</item>
/// </list>
/// </remarks>
internal static class ScaleRun
{
    private const double FalsePositiveRate = 0.01;
    private const int LookupRounds = 9;
    private const int FalsePositiveProbes = 10_000_000;
    private const int HotIds = 1_024;
    private const int RandomIds = 1 << 20;
    private static readonly long[] DefaultSizes = [1_000_000, 10_000_000, 50_000_000, 100_000_000];

    public static void Run(IReadOnlyList<string> arguments)
    {
        var layouts = arguments.Where(a => !char.IsDigit(a[0])).Select(a => Enum.Parse<BloomFilterLayout>(a, ignoreCase: true)).ToArray();
        var sizes = arguments.Where(a => char.IsDigit(a[0])).Select(long.Parse).ToArray();
        layouts = layouts.Length == 0 ? [BloomFilterLayout.Standard, BloomFilterLayout.Blocked] : layouts;
        sizes = sizes.Length == 0 ? DefaultSizes : sizes;

        Console.WriteLine($"start {DateTime.UtcNow:yyyy-MM-dd HH:mm:ss} UTC, load average {LoadAverage()}");
        Console.WriteLine($"{RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}, {Environment.ProcessorCount} logical cores, " +
            $"{(GCSettings.IsServerGC ? "server" : "workstation")} GC, latency mode {GCSettings.LatencyMode}, AVX2 {(Avx2.IsSupported ? "yes" : "no")}");

        var key = BloomFilterKey.NewRandom();
        var directory = Directory.CreateTempSubdirectory("edgeguard-scale-");
        try
        {
            WarmUp(layouts, key, directory.FullName);
            foreach (var layout in layouts)
            {
                Console.WriteLine();
                Console.WriteLine($"{layout} layout, p = {FalsePositiveRate}:");
                Console.WriteLine();
                Console.WriteLine("| n | m (bits) | k | bit array bytes | managed heap after load | build, sequential | build, parallel | snapshot bytes | write | load (warm) | hot, median (min) | random present, median (min) | random absent, median (min) | absent ids let through | p' (formula) | the process's huge pages after load | load average before |");
                Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
                foreach (var n in sizes)
                {
                    Console.WriteLine(Measure(layout, n, key, directory.FullName));
                }
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
    private static void WarmUp(BloomFilterLayout[] layouts, BloomFilterKey key, string directory)
    {
        for (var pass = 0; pass < 3; pass++)
        {
            foreach (var layout in layouts)
            {
                Measure(layout, 100_000, key, directory);
            }

            Thread.Sleep(250);
        }
    }

    private static string Measure(BloomFilterLayout layout, long n, BloomFilterKey key, string directory)
    {
        var loadBefore = LoadAverage();
        var path = Path.Combine(directory, $"filter-{layout}-{n}.egbf");
        Collect();
        var (sequential, sequentialBits) = BuildSequential(layout, n, key);
        Collect();
        var (parallel, write, parallelBits, bitCount, hashCount) = BuildParallelAndWrite(layout, n, key, path);
        if (parallelBits != sequentialBits)
        {
            throw new InvalidOperationException($"The parallel build of {n:N0} ids gave other bits than the sequential one.");
        }

        Collect(); // the built filters are unreachable now: the heap below holds the loaded one only
        var start = Stopwatch.GetTimestamp();
        BloomFilter loaded;
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16))
        {
            loaded = BloomFilter.ReadFrom(file, n, FalsePositiveRate, key);
        }

        var load = Stopwatch.GetElapsedTime(start);
        var heapAfterLoad = GC.GetTotalMemory(forceFullCollection: true);
        var hugePages = HugePagesInUse();

        var (hot, present, absent) = Lookups(loaded, n);
        var letThrough = FalsePositiveShare(loaded);
        return $"| {n:N0} | {bitCount:N0} | {hashCount} | {loaded.MemoryBytes:N0} | {heapAfterLoad:N0} | {Seconds(sequential)} | {Seconds(parallel)} | " +
            $"{new FileInfo(path).Length:N0} | {Seconds(write)} | {Seconds(load)} | {hot} | {present} | {absent} | {letThrough:P3} | {loaded.ActualFalsePositiveRate:P3} | {hugePages} | {loadBefore} |";
    }

    /// <summary>Not inlined, so that the built filter is unreachable once it returns (tier-0 code keeps locals alive to the end of a method).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (TimeSpan Build, ulong Bits) BuildSequential(BloomFilterLayout layout, long n, BloomFilterKey key)
    {
        var start = Stopwatch.GetTimestamp();
        var filter = new BloomFilter(n, FalsePositiveRate, layout, key);
        Span<char> id = stackalloc char[BenchmarkIds.MaxScaleIdLength];
        for (var i = 0; i < n; i++)
        {
            filter.Add(BenchmarkIds.FormatPresent(i, id));
        }

        return (Stopwatch.GetElapsedTime(start), HashOfBits(filter));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (TimeSpan Build, TimeSpan Write, ulong Bits, long BitCount, int HashCount) BuildParallelAndWrite(BloomFilterLayout layout, long n, BloomFilterKey key, string path)
    {
        var start = Stopwatch.GetTimestamp();
        var filter = new BloomFilter(n, FalsePositiveRate, layout, key);
        using (var builder = new ParallelBloomFilterBuilder(filter))
        {
            Span<char> id = stackalloc char[BenchmarkIds.MaxScaleIdLength];
            for (var i = 0; i < n; i++)
            {
                builder.Add(BenchmarkIds.FormatPresent(i, id));
            }

            builder.Complete();
        }

        var build = Stopwatch.GetElapsedTime(start);
        start = Stopwatch.GetTimestamp();
        using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
        {
            filter.WriteTo(file);
        }

        return (build, Stopwatch.GetElapsedTime(start), HashOfBits(filter), filter.BitCount, filter.HashCount);
    }

    private static ulong HashOfBits(BloomFilter filter) => XxHash64.HashToUInt64(MemoryMarshal.AsBytes(filter.Bits.Words));

    /// <summary>The three lookup sets in alternating rounds, so that all see the same interference.</summary>
    private static (string Hot, string Present, string Absent) Lookups(BloomFilter filter, long n)
    {
        var random = new Random(20261125);
        var range = (int)Math.Min(n, int.MaxValue);
        var hotSet = Enumerable.Range(0, HotIds).Select(_ => BenchmarkIds.Present(random.Next(range))).ToArray();
        var hotIds = Enumerable.Range(0, RandomIds).Select(i => hotSet[i % HotIds]).ToArray();
        var presentIds = Enumerable.Range(0, RandomIds).Select(_ => BenchmarkIds.Present(random.Next(range))).ToArray();
        var absentIds = Enumerable.Range(0, RandomIds).Select(_ => BenchmarkIds.Absent(random.Next(int.MaxValue))).ToArray();
        if (!presentIds.Concat(hotSet).All(filter.MightContain))
        {
            throw new InvalidOperationException("A present id was not found: a false negative.");
        }

        var hot = new double[LookupRounds];
        var present = new double[LookupRounds];
        var absent = new double[LookupRounds];
        for (var round = 0; round < LookupRounds; round++)
        {
            hot[round] = QuickCheck.TimeBranchFree(filter, hotIds);
            present[round] = QuickCheck.TimeBranchFree(filter, presentIds);
            absent[round] = QuickCheck.TimeBranchFree(filter, absentIds);
        }

        return (MedianAndMin(hot), MedianAndMin(present), MedianAndMin(absent));
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

    /// <summary>The process's anonymous memory in transparent huge pages (the filter's, once it is the only large array).</summary>
    private static string HugePagesInUse()
    {
        const string rollup = "/proc/self/smaps_rollup";
        var line = File.Exists(rollup) ? File.ReadLines(rollup).FirstOrDefault(l => l.StartsWith("AnonHugePages:", StringComparison.Ordinal)) : null;
        return line is null ? "n/a" : $"{long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024:N0} MB";
    }

    /// <summary>The 1-minute load average (the machine is shared), or "n/a" where /proc/loadavg does not exist.</summary>
    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";
}
