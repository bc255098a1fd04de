using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace IdGenerator;

/// <summary>
/// Writes N unique, SKU-like product ids (for example <c>ELC-04821937-BLK</c>) in the products.txt format,
/// deterministic for a seed. Usage:
/// <c>dotnet run -c Release --project tools/IdGenerator -- --count 1000000 --out data/ids-1m.txt [--seed N] [--prefix P] [--details-every K] [--no-header]</c>.
/// <c>IdGenerator false-positives …</c> writes absent ids an unkeyed filter of a list lets through (see <see cref="FalsePositives"/>).
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args is ["false-positives", .. var rest])
        {
            return FalsePositives.Run(rest);
        }

        GeneratorOptions options;
        try
        {
            options = GeneratorOptions.Parse(args);
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine($"IdGenerator: {ex.Message}");
            Console.Error.WriteLine(GeneratorOptions.Usage);
            return 2;
        }

        if (options.ShowHelp)
        {
            Console.WriteLine(GeneratorOptions.Usage);
            return 0;
        }

        var stopwatch = Stopwatch.StartNew();
        var toStdout = options.OutputPath is null or "-";
        using (var output = toStdout ? Console.OpenStandardOutput() : OpenFile(options.OutputPath!))
        using (var writer = new StreamWriter(output, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 1 << 20))
        {
            new SkuGenerator(options.Seed, options.Prefix).Write(writer, options.Count, options.DetailsEvery, options.Header);
        }

        if (!toStdout)
        {
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"IdGenerator: wrote {options.Count} ids to {options.OutputPath} in {stopwatch.ElapsedMilliseconds} ms (seed {options.Seed})"));
        }

        return 0;
    }

    private static FileStream OpenFile(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        return new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
    }
}

/// <summary>The command line.</summary>
internal sealed record GeneratorOptions(long Count, string? OutputPath, ulong Seed, string Prefix, int DetailsEvery, bool Header, bool ShowHelp)
{
    public const string Usage =
        "usage: IdGenerator --count N [--out PATH|-] [--seed N] [--prefix P] [--details-every K] [--no-header]\n" +
        "  --count N          how many unique ids (1 to 100,000,000)\n" +
        "  --out PATH         file to write (directories are created); '-' or absent: standard output\n" +
        "  --seed N           seed, default 42: the same seed writes the same file\n" +
        "  --prefix P         prepended to every id (ids must stay valid product ids)\n" +
        "  --details-every K  every K-th line is 'id,name,price' instead of an id alone (0 = never, the default)\n" +
        "  --no-header        omit the leading '#' comment line";

    public static GeneratorOptions Parse(IReadOnlyList<string> args)
    {
        long? count = null;
        string? output = null;
        ulong seed = 42;
        var prefix = "";
        var detailsEvery = 0;
        var header = true;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "-h" or "--help":
                    return new GeneratorOptions(0, null, seed, prefix, 0, header, ShowHelp: true);
                case "--count" or "-n":
                    count = ParseNumber(args, ref i, 1, SkuGenerator.MaxCount);
                    break;
                case "--out" or "-o":
                    output = Value(args, ref i);
                    break;
                case "--seed":
                    seed = ulong.TryParse(Value(args, ref i), NumberStyles.None, CultureInfo.InvariantCulture, out var s)
                        ? s : throw new ArgumentException("--seed takes a non-negative integer");
                    break;
                case "--prefix":
                    prefix = Value(args, ref i);
                    break;
                case "--details-every":
                    detailsEvery = (int)ParseNumber(args, ref i, 0, int.MaxValue);
                    break;
                case "--no-header":
                    header = false;
                    break;
                default:
                    throw new ArgumentException($"unknown argument '{args[i]}'");
            }
        }

        if (count is null)
        {
            throw new ArgumentException("--count is required");
        }

        SkuGenerator.ValidatePrefix(prefix);
        return new GeneratorOptions(count.Value, output, seed, prefix, detailsEvery, header, ShowHelp: false);
    }

    private static string Value(IReadOnlyList<string> args, ref int i) =>
        ++i < args.Count ? args[i] : throw new ArgumentException($"{args[i - 1]} needs a value");

    private static long ParseNumber(IReadOnlyList<string> args, ref int i, long min, long max)
    {
        var name = args[i];
        var text = Value(args, ref i).Replace("_", "", StringComparison.Ordinal);
        return long.TryParse(text, NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new ArgumentException($"{name} takes a whole number from {min} to {max}, not '{args[i]}'");
    }
}
