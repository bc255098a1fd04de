using System.Diagnostics;
using EdgeGuard.Filter;

namespace EdgeGuard.Benchmarks;

/// <summary>Rough per-call timings in a few seconds, for iterating on the hot path; BenchmarkDotNet gives the real numbers.</summary>
internal static class QuickCheck
{
    public static void Run()
    {
        var filter = new BloomFilter();
        for (var i = 0; i < BenchmarkIds.CatalogSize; i++)
        {
            filter.Add(BenchmarkIds.Present(i));
        }

        var present = BenchmarkIds.PresentSample(1);
        var absent = BenchmarkIds.AbsentSample(2);
        for (var round = 0; round < 5; round++)
        {
            Console.WriteLine(
                $"present: branch-free {Time(present, filter.MightContain),6:F1} ns, early-exit {Time(present, filter.MightContainEarlyExit),6:F1} ns; " +
                $"absent: branch-free {Time(absent, filter.MightContain),6:F1} ns, early-exit {Time(absent, filter.MightContainEarlyExit),6:F1} ns");
        }
    }

    private delegate bool Lookup(ReadOnlySpan<char> id);

    private static double Time(string[] ids, Lookup lookup)
    {
        const int rounds = 1000;
        var found = 0;
        var watch = Stopwatch.StartNew();
        for (var r = 0; r < rounds; r++)
        {
            foreach (var id in ids)
            {
                found += lookup(id) ? 1 : 0;
            }
        }

        GC.KeepAlive(found);
        return watch.Elapsed.TotalNanoseconds / (rounds * ids.Length);
    }
}
