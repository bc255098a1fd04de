using System.Globalization;
using System.Text;

namespace EdgeGuard.Filter;

/// <summary>
/// Reads the <c>products.txt</c> format: one product id per line, or <c>id,name,price</c>; blank lines
/// and lines starting with '#' ignored; surrounding whitespace, a UTF-8 BOM and CRLF accepted. Invalid
/// lines are counted in the report and skipped. Duplicates are passed through: adding an id twice to a
/// filter, or inserting it twice with "insert or ignore", is harmless, and de-duplicating here would
/// cost a set of every id.
/// </summary>
public static class ProductsFile
{
    public static IEnumerable<ProductLine> Read(string path, ProductIdRule rule, ProductsFileReport report)
    {
        ArgumentNullException.ThrowIfNull(path);
        return ReadFile(path, rule, report);

        static IEnumerable<ProductLine> ReadFile(string path, ProductIdRule rule, ProductsFileReport report)
        {
            using var reader = OpenText(path);
            foreach (var line in Read(reader, rule, report))
            {
                yield return line;
            }
        }
    }

    /// <summary>Opens a products file as <see cref="Read(string, ProductIdRule, ProductsFileReport)"/> reads it: UTF-8 unless a byte order mark says otherwise.</summary>
    internal static StreamReader OpenText(string path) =>
        new(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);

    public static IEnumerable<ProductLine> Read(TextReader reader, ProductIdRule rule, ProductsFileReport report)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(report);
        return ReadLines(reader, rule, report);
    }

    private static IEnumerable<ProductLine> ReadLines(TextReader reader, ProductIdRule rule, ProductsFileReport report)
    {
        var lineNumber = 0;
        while (reader.ReadLine() is { } raw)
        {
            lineNumber++;
            report.CountLine();
            if (TryParse(raw, lineNumber, rule, out var product, out var ignored))
            {
                report.CountProduct();
                yield return product;
            }
            else if (ignored)
            {
                report.CountIgnored();
            }
            else
            {
                report.CountInvalid(lineNumber);
            }
        }
    }

    /// <summary>Parses one line. False with <paramref name="ignored"/> set for blank and comment lines.</summary>
    public static bool TryParse(string raw, int lineNumber, ProductIdRule rule, out ProductLine product, out bool ignored)
    {
        product = default;
        var line = raw.AsSpan().Trim().TrimStart('\uFEFF').Trim();
        ignored = line.IsEmpty || line[0] == '#';
        if (ignored)
        {
            return false;
        }

        var firstComma = line.IndexOf(',');
        if (firstComma < 0)
        {
            if (!rule.IsValid(line))
            {
                return false;
            }

            product = new ProductLine(line.Length == raw.Length ? raw : line.ToString(), null, null, lineNumber);
            return true;
        }

        // id,name,price: the name is everything between the first and the last comma, so a name may
        // itself contain commas.
        var lastComma = line.LastIndexOf(',');
        var id = line[..firstComma].Trim();
        var name = firstComma < lastComma ? line[(firstComma + 1)..lastComma].Trim() : [];
        var priceText = line[(lastComma + 1)..].Trim();
        if (!rule.IsValid(id) || name.IsEmpty ||
            !decimal.TryParse(priceText, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var price))
        {
            return false;
        }

        product = new ProductLine(id.ToString(), name.ToString(), price, lineNumber);
        return true;
    }
}
