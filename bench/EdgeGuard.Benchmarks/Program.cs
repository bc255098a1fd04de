using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/EdgeGuard.Benchmarks -- --filter '*'
if (args is ["--quick"])
{
    // A few seconds' sanity check without BenchmarkDotNet (e.g. with DOTNET_JitDisasm set).
    EdgeGuard.Benchmarks.QuickCheck.Run();
    return;
}

if (args is ["--quick-keyed"])
{
    EdgeGuard.Benchmarks.QuickCheck.RunKeyed();
    return;
}

if (args is ["--quick-metrics"])
{
    // The exporter A/B of issue 12, interleaved round by round (bench/RESULTS.md, "Metrics exporter").
    EdgeGuard.Benchmarks.Metrics.MetricsQuickCheck.Run();
    return;
}

if (args is ["--scale", .. var sizes])
{
    // Both layouts of the keyed filter at 1M, 10M, 50M and 100M ids (or the layouts and sizes given): build
    // (sequential and parallel), snapshot, load, memory, lookups, measured false positives. See ScaleRun.
    EdgeGuard.Benchmarks.ScaleRun.Run(sizes);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(EdgeGuard.Benchmarks.LookupBenchmarks).Assembly).Run(args);
