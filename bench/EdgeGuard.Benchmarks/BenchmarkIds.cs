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

    /// <summary>Room for the ids <see cref="FormatPresent"/> and <see cref="FormatAbsent"/> spell: a prefix and up to 10 digits.</summary>
    public const int MaxScaleIdLength = 16;

    /// <summary>
    /// <see cref="Present"/> spelled into <paramref name="buffer"/> without allocating, for catalogs too
    /// large to hold as strings: the same text as <see cref="Present"/> for i below 10,000,000.
    /// </summary>
    public static ReadOnlySpan<char> FormatPresent(int i, Span<char> buffer) => Format("SKU-", i, buffer);

    /// <summary>As <see cref="FormatPresent"/> for <see cref="Absent"/>.</summary>
    public static ReadOnlySpan<char> FormatAbsent(int i, Span<char> buffer) => Format("NOPE-", i, buffer);

    private static ReadOnlySpan<char> Format(string prefix, int i, Span<char> buffer)
    {
        prefix.CopyTo(buffer);
        i.TryFormat(buffer[prefix.Length..], out var digits, "D7", System.Globalization.CultureInfo.InvariantCulture);
        return buffer[..(prefix.Length + digits)];
    }

    public static string[] PresentSample(int seed) => Sample(seed, Present);

    public static string[] AbsentSample(int seed) => Sample(seed, Absent);

    private static string[] Sample(int seed, Func<int, string> id)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, Batch).Select(_ => id(random.Next(CatalogSize))).ToArray();
    }
}
