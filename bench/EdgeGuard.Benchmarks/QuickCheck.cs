using System.Diagnostics;
using EdgeGuard.Filter;

namespace EdgeGuard.Benchmarks;

/// <summary>
/// Branch-free against early-exit MightContain (<c>--quick</c>), and unkeyed against keyed hashing
/// (<c>--quick-keyed</c>), interleaved round by round so both sides see the same interference, reporting
/// each one's fastest round. A cross-check for BenchmarkDotNet on a shared machine, where the minimum is
/// the figure least disturbed by other processes.
/// </summary>
internal static class QuickCheck
{
    public static void Run()
    {
        var filter = new BloomFilter(BloomFilter.DefaultExpectedItems, BloomFilter.DefaultFalsePositiveRate, BloomFilterLayout.Standard);
        for (var i = 0; i < BenchmarkIds.CatalogSize; i++)
        {
            filter.Add(BenchmarkIds.Present(i));
        }

        var present = BenchmarkIds.PresentSample(1);
        var absent = BenchmarkIds.AbsentSample(2);
        var best = new double[4];
        Array.Fill(best, double.MaxValue);
        for (var round = 0; round < 200; round++)
        {
            best[0] = Math.Min(best[0], TimeBranchFree(filter, present));
            best[1] = Math.Min(best[1], TimeEarlyExit(filter, present));
            best[2] = Math.Min(best[2], TimeBranchFree(filter, absent));
            best[3] = Math.Min(best[3], TimeEarlyExit(filter, absent));
        }

        Console.WriteLine($"fastest of 200 rounds, ns per call: present branch-free {best[0]:F1}, early-exit {best[1]:F1}; absent branch-free {best[2]:F1}, early-exit {best[3]:F1}");
    }

    /// <summary>Two default filters holding the same catalog, one unkeyed and one keyed with a random key; also the medians, for a rough spread.</summary>
    public static void RunKeyed()
    {
        var unkeyed = new BloomFilter();
        var keyed = new BloomFilter(BloomFilter.DefaultExpectedItems, BloomFilter.DefaultFalsePositiveRate, BloomFilterKey.NewRandom());
        for (var i = 0; i < BenchmarkIds.CatalogSize; i++)
        {
            unkeyed.Add(BenchmarkIds.Present(i));
            keyed.Add(BenchmarkIds.Present(i));
        }

        var present = BenchmarkIds.PresentSample(1);
        var absent = BenchmarkIds.AbsentSample(2);
        const int rounds = 200;
        var times = new double[4][];
        for (var side = 0; side < times.Length; side++)
        {
            times[side] = new double[rounds];
        }

        for (var round = 0; round < rounds; round++)
        {
            times[0][round] = TimeBranchFree(unkeyed, absent);
            times[1][round] = TimeBranchFree(keyed, absent);
            times[2][round] = TimeBranchFree(unkeyed, present);
            times[3][round] = TimeBranchFree(keyed, present);
        }

        foreach (var side in times)
        {
            Array.Sort(side);
        }

        string Figures(int side) => $"{times[side][0]:F1} (median {times[side][rounds / 2]:F1})";
        Console.WriteLine($"fastest of {rounds} rounds, ns per call: absent unkeyed {Figures(0)}, keyed {Figures(1)}; present unkeyed {Figures(2)}, keyed {Figures(3)}");
    }

    internal static double TimeBranchFree(BloomFilter filter, string[] ids)
    {
        var found = 0;
        var start = Stopwatch.GetTimestamp();
        foreach (var id in ids)
        {
            found += filter.MightContain(id) ? 1 : 0;
        }

        var elapsed = Stopwatch.GetElapsedTime(start);
        GC.KeepAlive(found);
        return elapsed.TotalNanoseconds / ids.Length;
    }

    private static double TimeEarlyExit(BloomFilter filter, string[] ids)
    {
        var found = 0;
        var start = Stopwatch.GetTimestamp();
        foreach (var id in ids)
        {
            found += filter.MightContainEarlyExit(id) ? 1 : 0;
        }

        var elapsed = Stopwatch.GetElapsedTime(start);
        GC.KeepAlive(found);
        return elapsed.TotalNanoseconds / ids.Length;
    }
}
