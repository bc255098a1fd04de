namespace EdgeGuard.Benchmarks;

/// <summary>Id sets shaped like the catalog's: "SKU-" and seven digits.</summary>
internal static class BenchmarkIds
{
    public const int CatalogSize = 1_000_000;

    /// <summary>
    /// Ids looked up per benchmark invocation, drawn at random so probes hit random words. Large
    /// enough that the branch predictor cannot learn the sequence, which would flatter an early exit.
    /// </summary>
    public const int Batch = 16 * 1024;

    public static string Present(int i) => $"SKU-{i:D7}";

    public static string Absent(int i) => $"NOPE-{i:D7}";

    public static string[] PresentSample(int seed) => Sample(seed, Present);

    public static string[] AbsentSample(int seed) => Sample(seed, Absent);

    private static string[] Sample(int seed, Func<int, string> id)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, Batch).Select(_ => id(random.Next(CatalogSize))).ToArray();
    }
}
