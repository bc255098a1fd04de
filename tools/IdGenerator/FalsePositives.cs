using System.Diagnostics;
using System.Globalization;
using System.Text;
using EdgeGuard.Filter;

namespace IdGenerator;

/// <summary>
/// The attacker's offline step against an unkeyed filter (bench/load's <c>precomputed_fp</c> scenario): build the
/// filter from the public id list with the public hash, sized as the gateway sizes it, and write the first absent
/// ids (<c>{prefix}{n}</c>, n = 0, 1, 2 …) it lets through. Deterministic: the same ids give the same list. Usage:
/// <c>IdGenerator false-positives --ids FILE --count K --prefix P [--expected-items N] [--rate R] [--out PATH]</c>.
/// </summary>
internal static class FalsePositives
{
    public const string Usage =
        "usage: IdGenerator false-positives --ids FILE --count K --prefix P [--expected-items N] [--rate R] [--growth-headroom G] [--out PATH|-]\n" +
        "  --ids FILE            the product ids (products.txt format), as the gateway loads them\n" +
        "  --count K             how many false positives to write\n" +
        "  --prefix P            candidates are P0, P1, P2 ... (must never be a real id's start)\n" +
        "  --expected-items N    the gateway's EdgeGuard:Bloom:ExpectedItems (default 1,000,000)\n" +
        "  --rate R              the gateway's EdgeGuard:Bloom:FalsePositiveRate (default 0.01)\n" +
        "  --growth-headroom G   the gateway's EdgeGuard:Bloom:GrowthHeadroom, used when the file holds more than N ids (default 1.25)";

    public static int Run(IReadOnlyList<string> args)
    {
        string? ids = null, output = null, prefix = null;
        long count = 0, expectedItems = BloomFilter.DefaultExpectedItems;
        double rate = BloomFilter.DefaultFalsePositiveRate, headroom = 1.25;
        try
        {
            for (var i = 0; i < args.Count; i++)
            {
                switch (args[i])
                {
                    case "--ids": ids = Value(args, ref i); break;
                    case "--out" or "-o": output = Value(args, ref i); break;
                    case "--prefix": prefix = Value(args, ref i); break;
                    case "--count" or "-n": count = long.Parse(Value(args, ref i), CultureInfo.InvariantCulture); break;
                    case "--expected-items": expectedItems = long.Parse(Value(args, ref i), CultureInfo.InvariantCulture); break;
                    case "--rate": rate = double.Parse(Value(args, ref i), CultureInfo.InvariantCulture); break;
                    case "--growth-headroom": headroom = double.Parse(Value(args, ref i), CultureInfo.InvariantCulture); break;
                    case "-h" or "--help": Console.WriteLine(Usage); return 0;
                    default: throw new ArgumentException($"unknown argument '{args[i]}'");
                }
            }

            if (ids is null || prefix is null || count < 1)
            {
                throw new ArgumentException("--ids, --prefix and a --count of at least 1 are required");
            }

            SkuGenerator.ValidatePrefix(prefix);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
        {
            Console.Error.WriteLine($"IdGenerator false-positives: {e.Message}");
            Console.Error.WriteLine(Usage);
            return 2;
        }

        var stopwatch = Stopwatch.StartNew();
        var rule = new ProductIdRule(ProductIdRule.DefaultPattern);
        // Sized as the gateway sizes its filter: for ExpectedItems, or, when the sources hold more, for that many
        // times the headroom (FilterBuilder). The same m and k, and the public hash: the attacker's copy of an
        // unkeyed deployment, bit for bit.
        var distinct = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in ProductsFile.Read(ids, rule, new ProductsFileReport()))
        {
            distinct.Add(line.Id);
        }

        var size = distinct.Count > expectedItems ? (long)Math.Ceiling(distinct.Count * headroom) : expectedItems;
        var filter = new BloomFilter(size, rate);
        foreach (var id in distinct)
        {
            filter.Add(id);
        }

        var toStdout = output is null or "-";
        long tried = 0, written = 0;
        using (var stream = toStdout ? Console.OpenStandardOutput() : new FileStream(output!, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16))
        using (var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 1 << 20))
        {
            while (written < count)
            {
                var candidate = string.Create(CultureInfo.InvariantCulture, $"{prefix}{tried++}");
                if (!distinct.Contains(candidate) && filter.MightContain(candidate))
                {
                    writer.Write(candidate);
                    writer.Write('\n');
                    written++;
                }
            }
        }

        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"IdGenerator false-positives: {written} of {tried} absent candidates pass an unkeyed filter of {distinct.Count} ids (n = {size}, p = {rate}) in {stopwatch.ElapsedMilliseconds} ms"));
        return 0;
    }

    private static string Value(IReadOnlyList<string> args, ref int i) =>
        ++i < args.Count ? args[i] : throw new ArgumentException($"{args[i - 1]} needs a value");
}
