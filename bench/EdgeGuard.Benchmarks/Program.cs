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

BenchmarkSwitcher.FromAssembly(typeof(EdgeGuard.Benchmarks.LookupBenchmarks).Assembly).Run(args);
