using System.Text;
using System.Text.RegularExpressions;

namespace EdgeGuard.Filter.Tests;

/// <summary>The contract's products.txt format, on the shared parser directly.</summary>
public sealed class ProductsFileTests
{
    private static (List<ProductLine> Lines, ProductsFileReport Report) Parse(string text)
    {
        var report = new ProductsFileReport();
        var lines = ProductsFile.Read(new StringReader(text), ProductIdRule.Default, report).ToList();
        return (lines, report);
    }

    private static (List<ProductLine> Lines, ProductsFileReport Report) ParseFile(byte[] bytes)
    {
        var path = Path.Combine(Path.GetTempPath(), $"products-{Guid.NewGuid():N}.txt");
        try
        {
            File.WriteAllBytes(path, bytes);
            var report = new ProductsFileReport();
            return (ProductsFile.Read(path, ProductIdRule.Default, report).ToList(), report);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_utf8_bom_is_ignored_in_a_file_and_in_a_reader()
    {
        var (fromFile, _) = ParseFile([.. Encoding.UTF8.GetPreamble(), .. "ABC-1\nABC-2\n"u8]);
        Assert.Equal(["ABC-1", "ABC-2"], fromFile.Select(l => l.Id));

        var (fromReader, report) = Parse("\uFEFFABC-1\nABC-2");
        Assert.Equal(["ABC-1", "ABC-2"], fromReader.Select(l => l.Id));
        Assert.Equal(0, report.Invalid);
    }

    [Fact]
    public void Crlf_line_endings_are_accepted()
    {
        var (lines, report) = ParseFile("A-1\r\nB-2,Name,1.5\r\n\r\nC-3\r\n"u8.ToArray());
        Assert.Equal(["A-1", "B-2", "C-3"], lines.Select(l => l.Id));
        Assert.Equal(new ProductLine("B-2", "Name", 1.5m, 2), lines[1]);
        Assert.Equal(4, report.LinesRead);
        Assert.Equal(1, report.Ignored);
    }

    [Fact]
    public void Comments_blank_lines_and_surrounding_whitespace_are_ignored()
    {
        var (lines, report) = Parse("# header\n\n   \n  # indented comment\n\t ID-1 \t\n  ID-2,  Desk Lamp ,  12.00  \n");
        Assert.Equal([new ProductLine("ID-1", null, null, 5), new ProductLine("ID-2", "Desk Lamp", 12.00m, 6)], lines);
        Assert.Equal(6, report.LinesRead);
        Assert.Equal(2, report.Products);
        Assert.Equal(4, report.Ignored);
        Assert.Equal(0, report.Invalid);
        Assert.Equal("6 lines read, 2 products, 4 blank or comment, 0 invalid", report.ToString());
    }

    [Fact]
    public void Duplicates_are_passed_through_with_their_line_numbers()
    {
        var (lines, report) = Parse("DUP-1\nDUP-1\nDUP-1,Named,2\n");
        Assert.Equal([1, 2, 3], lines.Select(l => l.LineNumber));
        Assert.All(lines, l => Assert.Equal("DUP-1", l.Id));
        Assert.Equal(3, report.Products);
    }

    [Fact]
    public void Invalid_lines_are_counted_with_the_first_line_numbers_and_skipped()
    {
        var text = "ok-1\n" + string.Join('\n', Enumerable.Range(0, 12).Select(i => $"bad id {i}")) + "\nok-2\n";
        var (lines, report) = Parse(text);

        Assert.Equal(["ok-1", "ok-2"], lines.Select(l => l.Id));
        Assert.Equal(12, report.Invalid);
        Assert.Equal(Enumerable.Range(2, ProductsFileReport.MaxInvalidLineNumbers), report.FirstInvalidLines);
        Assert.EndsWith("12 invalid (first at lines 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)", report.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Id_name_price_lines_keep_a_name_with_commas()
    {
        var (lines, _) = Parse("APP-1,Cotton T-Shirt, size M, blue,19.90\nGRO-2,Tea,3\nBKS-3,Atlas,0.5\n");
        Assert.Equal(new ProductLine("APP-1", "Cotton T-Shirt, size M, blue", 19.90m, 1), lines[0]);
        Assert.Equal("19.90", lines[0].Price!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(new ProductLine("GRO-2", "Tea", 3m, 2), lines[1]);
        Assert.Equal(new ProductLine("BKS-3", "Atlas", 0.5m, 3), lines[2]);
    }

    [Theory]
    [InlineData("P-1,Name,abc")]
    [InlineData("P-1,Name,-1.00")]
    [InlineData("P-1,Name,")]
    [InlineData("P-1,Name,1e3")]
    [InlineData("P-1,Name,1,000.00x")]
    [InlineData("P-1,,5")]
    [InlineData("P-1,5")]
    [InlineData("../x,Name,5")]
    public void Bad_name_or_price_lines_are_invalid(string line)
    {
        var (lines, report) = Parse(line + "\n");
        Assert.Empty(lines);
        Assert.Equal(1, report.Invalid);
        Assert.Equal([1], report.FirstInvalidLines);
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("a/b")]
    [InlineData("-a")]
    [InlineData(".a")]
    [InlineData("a b")]
    [InlineData("a\n")]
    [InlineData("a\r")]
    [InlineData("\u00e9t\u00e9")]
    [InlineData("")]
    public void The_id_rule_rejects(string id) => Assert.False(ProductIdRule.Default.IsValid(id));

    /// <summary>
    /// The default rule is checked without its regex. Its answers are compared with the pattern's own regex (a match
    /// spanning the whole input) for every UTF-16 code unit as the first, a middle and the last character, for ids
    /// generated valid at every length from 1 to 66, and for each of those with one character replaced by one the
    /// pattern does not allow.
    /// </summary>
    [Fact]
    public void The_default_rule_answers_as_its_regex_does()
    {
        var regex = new Regex(ProductIdRule.DefaultPattern, RegexOptions.CultureInvariant);
        var rule = ProductIdRule.Default;
        var accepted = 0;
        var rejected = 0;

        void Check(string id)
        {
            var match = regex.Match(id);
            var expected = match.Success && match.Index == 0 && match.Length == id.Length;
            Assert.True(expected == rule.IsValid(id), $"\"{id}\" (length {id.Length}): the regex says {expected}");
            if (expected)
            {
                accepted++;
            }
            else
            {
                rejected++;
            }
        }

        for (var c = 0; c <= char.MaxValue; c++)
        {
            var ch = (char)c;
            Check(ch.ToString());
            Check(ch + "a");
            Check("a" + ch + "b");
            Check("a" + ch);
            Check(new string('a', 62) + ch);
            Check(new string('a', 63) + ch);
        }

        const string Head = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        const string Tail = Head + "._-";
        string[] outside = ["/", " ", "\n", "\r", "\t", "\0", "+", ":", "~", "\u007f", "\u00e9", "\u0130", "\u0131", "\u017f",
            "\u212a", "\uff21", "\uff10", "\u0660", "\ud83d", "\ude00", "\ud83d\ude00"];
        var random = new Random(23);
        for (var length = 1; length <= 66; length++)
        {
            for (var i = 0; i < 50; i++)
            {
                var chars = new char[length];
                chars[0] = Head[random.Next(Head.Length)];
                for (var j = 1; j < length; j++)
                {
                    chars[j] = Tail[random.Next(Tail.Length)];
                }

                var id = new string(chars);
                Assert.Equal(length <= 64, rule.IsValid(id));
                Check(id);
                Check(id + "\n");
                var at = random.Next(length);
                Check(id[..at] + outside[random.Next(outside.Length)] + id[(at + 1)..]);
            }
        }

        // Both answers were given many times: the comparison covered accepted ids as well as rejected ones.
        Assert.True(accepted > 3_000, $"{accepted} accepted");
        Assert.True(rejected > 300_000, $"{rejected} rejected");
    }

    [Fact]
    public void The_id_rule_accepts_64_characters_and_rejects_65()
    {
        Assert.True(ProductIdRule.Default.IsValid(new string('a', 64)));
        Assert.True(ProductIdRule.Default.IsValid("A" + new string('-', 63)));
        Assert.False(ProductIdRule.Default.IsValid(new string('a', 65)));
        Assert.True(ProductIdRule.Default.IsValid("SKU-1.2_3"));

        var (lines, report) = Parse(new string('a', 64) + "\n" + new string('a', 65) + "\n");
        Assert.Equal(64, Assert.Single(lines).Id.Length);
        Assert.Equal([2], report.FirstInvalidLines);
    }
}
