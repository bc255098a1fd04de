namespace EdgeGuard.Filter;

/// <summary>What reading a products file found: filled in while <see cref="ProductsFile.Read(TextReader, ProductIdRule, ProductsFileReport)"/> is enumerated.</summary>
public sealed class ProductsFileReport
{
    /// <summary>How many invalid line numbers are kept for the log; the count covers them all.</summary>
    public const int MaxInvalidLineNumbers = 10;

    private readonly List<int> _firstInvalidLines = [];

    public long LinesRead { get; private set; }

    /// <summary>Lines that yielded a product (duplicates included: consumers ignore them).</summary>
    public long Products { get; private set; }

    /// <summary>Blank lines and comments.</summary>
    public long Ignored { get; private set; }

    public long Invalid { get; private set; }

    public IReadOnlyList<int> FirstInvalidLines => _firstInvalidLines;

    internal void CountLine() => LinesRead++;

    internal void CountProduct() => Products++;

    internal void CountIgnored() => Ignored++;

    internal void CountInvalid(int lineNumber)
    {
        Invalid++;
        if (_firstInvalidLines.Count < MaxInvalidLineNumbers)
        {
            _firstInvalidLines.Add(lineNumber);
        }
    }

    public override string ToString() =>
        $"{LinesRead} lines read, {Products} products, {Ignored} blank or comment, {Invalid} invalid" +
        (Invalid > 0 ? $" (first at lines {string.Join(", ", _firstInvalidLines)})" : "");
}
