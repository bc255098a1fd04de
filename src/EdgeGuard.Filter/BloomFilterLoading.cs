namespace EdgeGuard.Filter;

/// <summary>
/// Bulk loading: every id of a sequence, an asynchronous stream, or a <c>products.txt</c> file.
/// </summary>
/// <remarks>
/// Sequences without a <see cref="ProductIdRule"/> are trusted to hold ids: entries are added verbatim,
/// and only null, empty or all-whitespace entries are skipped (they can never be requested). With a
/// rule, entries the rule rejects are skipped too. Adding runs on the calling thread; the filter stays
/// readable by other threads throughout.
/// </remarks>
public static class BloomFilterLoading
{
    /// <summary>Adds every non-blank entry of <paramref name="ids"/>.</summary>
    public static LoadReport AddAll(this BloomFilter filter, IEnumerable<string?> ids) => AddAll(filter, ids, rule: null);

    /// <summary>Adds every entry of <paramref name="ids"/> that <paramref name="rule"/> accepts (all non-blank ones when null).</summary>
    public static LoadReport AddAll(this BloomFilter filter, IEnumerable<string?> ids, ProductIdRule? rule)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(ids);
        var counter = new LoadCounter(filter, rule);
        foreach (var id in ids)
        {
            counter.Offer(id);
        }

        return counter.ToReport();
    }

    /// <summary>Adds every non-blank entry of <paramref name="ids"/> as it arrives.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; ids added so far stay added.</exception>
    public static Task<LoadReport> AddAllAsync(this BloomFilter filter, IAsyncEnumerable<string?> ids, CancellationToken cancellationToken = default) =>
        AddAllAsync(filter, ids, rule: null, cancellationToken);

    /// <summary>Adds every entry of <paramref name="ids"/> that <paramref name="rule"/> accepts, as it arrives.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; ids added so far stay added.</exception>
    public static Task<LoadReport> AddAllAsync(this BloomFilter filter, IAsyncEnumerable<string?> ids, ProductIdRule? rule, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(ids);
        return Load(filter, ids, rule, cancellationToken);

        static async Task<LoadReport> Load(BloomFilter filter, IAsyncEnumerable<string?> ids, ProductIdRule? rule, CancellationToken cancellationToken)
        {
            var counter = new LoadCounter(filter, rule);
            await foreach (var id in ids.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                cancellationToken.ThrowIfCancellationRequested();
                counter.Offer(id);
            }

            return counter.ToReport();
        }
    }

    /// <summary>
    /// Adds every product id of a <c>products.txt</c> file (format in CONTRACT.md, parsed by
    /// <see cref="ProductsFile"/>). Invalid lines are skipped and reported with their line numbers.
    /// </summary>
    /// <exception cref="IOException">The file cannot be read (e.g. <see cref="FileNotFoundException"/>).</exception>
    public static LoadReport AddFromFile(this BloomFilter filter, string path, ProductIdRule rule)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(rule);
        var report = new ProductsFileReport();
        return Load(filter, ProductsFile.Read(path, rule, report), report);
    }

    /// <summary>As <see cref="AddFromFile"/> for text already open, e.g. a response body.</summary>
    public static LoadReport AddFromReader(this BloomFilter filter, TextReader reader, ProductIdRule rule)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(rule);
        var report = new ProductsFileReport();
        return Load(filter, ProductsFile.Read(reader, rule, report), report);
    }

    private static LoadReport Load(BloomFilter filter, IEnumerable<ProductLine> products, ProductsFileReport report)
    {
        long added = 0, alreadyPresent = 0;
        foreach (var product in products)
        {
            added++;
            if (!filter.Add(product.Id))
            {
                alreadyPresent++;
            }
        }

        return new LoadReport(report.LinesRead, added, report.Invalid)
        {
            AlreadyPresent = alreadyPresent,
            Ignored = report.Ignored,
            FirstSkippedLines = report.FirstInvalidLines.ToArray(),
        };
    }

    /// <summary>The counting shared by the sequence loaders.</summary>
    private sealed class LoadCounter(BloomFilter filter, ProductIdRule? rule)
    {
        private readonly List<int> _firstSkipped = [];
        private long _read, _added, _alreadyPresent, _skipped;

        public void Offer(string? id)
        {
            _read++;
            var accepted = rule is null ? !string.IsNullOrWhiteSpace(id) : id is not null && rule.IsValid(id);
            if (!accepted)
            {
                _skipped++;
                if (_firstSkipped.Count < ProductsFileReport.MaxInvalidLineNumbers)
                {
                    _firstSkipped.Add((int)Math.Min(_read, int.MaxValue));
                }

                return;
            }

            _added++;
            if (!filter.Add(id!))
            {
                _alreadyPresent++;
            }
        }

        public LoadReport ToReport() =>
            new(_read, _added, _skipped) { AlreadyPresent = _alreadyPresent, FirstSkippedLines = _firstSkipped.ToArray() };
    }
}
