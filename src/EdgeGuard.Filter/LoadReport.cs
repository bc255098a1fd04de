namespace EdgeGuard.Filter;

/// <summary>What a bulk load did.</summary>
/// <param name="LinesRead">Lines (for a file) or entries (for a sequence) read, including blank and comment lines.</param>
/// <param name="Added">Ids passed to <see cref="BloomFilter.Add(string)"/>, duplicates included.</param>
/// <param name="Skipped">Invalid lines or entries, which were not added.</param>
public sealed record LoadReport(long LinesRead, long Added, long Skipped)
{
    /// <summary>Added ids that set no new bit: duplicates, or rarely a new id whose bits were all set already.</summary>
    public long AlreadyPresent { get; init; }

    /// <summary>Blank and comment lines (files only); neither added nor counted as skipped.</summary>
    public long Ignored { get; init; }

    /// <summary>Line numbers (or 1-based entry positions) of the first skipped lines, at most <see cref="ProductsFileReport.MaxInvalidLineNumbers"/>.</summary>
    public IReadOnlyList<int> FirstSkippedLines { get; init; } = [];

    /// <summary>Ids that set at least one new bit.</summary>
    public long NewItems => Added - AlreadyPresent;

    public override string ToString() =>
        $"{LinesRead} lines read, {Added} added ({AlreadyPresent} already present), {Skipped} skipped, {Ignored} blank or comment" +
        (Skipped > 0 ? $" (first skipped at {string.Join(", ", FirstSkippedLines)})" : "");
}
