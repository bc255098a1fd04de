namespace EdgeGuard.Filter;

/// <summary>
/// Bulk loading: every id of a sequence, an asynchronous stream, or a <c>products.txt</c> file.
/// </summary>
/// <remarks>
/// Sequences without a <see cref="ProductIdRule"/> are trusted to hold ids: entries are added verbatim,
/// and only null, empty or all-whitespace entries are skipped (they can never be requested). With a
/// rule, entries the rule rejects are skipped too. <c>AddAll</c> and <c>AddAllAsync</c> add on the calling
/// thread, and the filter stays readable and writable by other threads throughout. <c>AddAllParallel</c> and
/// <c>AddAllParallelAsync</c> add through a <see cref="ParallelBloomFilterBuilder"/>: several threads, the
/// same bits and report, for a filter built aside that nobody else writes meanwhile.
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
        var counter = new LoadCounter(rule);
        foreach (var id in ids)
        {
            if (counter.Accept(id) && !filter.Add(id!))
            {
                counter.AlreadyPresent();
            }
        }

        return counter.ToReport();
    }

    /// <summary>
    /// As <see cref="AddAll(BloomFilter, IEnumerable{string?}, ProductIdRule?)"/> on
    /// <paramref name="maxDegreeOfParallelism"/> threads (0: one per processor) through a
    /// <see cref="ParallelBloomFilterBuilder"/>: the same bits and the same report, in memory bounded by its
    /// batches. The sequence is read on the calling thread while the workers apply the previous batch.
    /// </summary>
    /// <exception cref="InvalidOperationException">Another builder is filling <paramref name="filter"/>.</exception>
    public static LoadReport AddAllParallel(this BloomFilter filter, IEnumerable<string?> ids, ProductIdRule? rule = null, int maxDegreeOfParallelism = 0)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(ids);
        var counter = new LoadCounter(rule);
        using var builder = new ParallelBloomFilterBuilder(filter, maxDegreeOfParallelism);
        foreach (var id in ids)
        {
            if (counter.Accept(id))
            {
                builder.Add(id!);
            }
        }

        return counter.ToReport(newItems: builder.Complete());
    }

    /// <summary>As <see cref="AddAllParallel"/> for ids that arrive asynchronously.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; the batches handed over are applied, the rest is not.</exception>
    public static Task<LoadReport> AddAllParallelAsync(this BloomFilter filter, IAsyncEnumerable<string?> ids, ProductIdRule? rule = null,
        int maxDegreeOfParallelism = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(ids);
        return Load(filter, ids, rule, maxDegreeOfParallelism, cancellationToken);

        static async Task<LoadReport> Load(BloomFilter filter, IAsyncEnumerable<string?> ids, ProductIdRule? rule, int maxDegreeOfParallelism, CancellationToken cancellationToken)
        {
            var counter = new LoadCounter(rule);
            using var builder = new ParallelBloomFilterBuilder(filter, maxDegreeOfParallelism);
            await foreach (var id in ids.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (counter.Accept(id))
                {
                    await builder.AddAsync(id!, cancellationToken).ConfigureAwait(false);
                }
            }

            return counter.ToReport(newItems: await builder.CompleteAsync(cancellationToken).ConfigureAwait(false));
        }
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
            var counter = new LoadCounter(rule);
            await foreach (var id in ids.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (counter.Accept(id) && !filter.Add(id!))
                {
                    counter.AlreadyPresent();
                }
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
        using var reader = ProductsFile.OpenText(path);
        return AddFromReader(filter, reader, rule);
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
    private sealed class LoadCounter(ProductIdRule? rule)
    {
        private readonly List<int> _firstSkipped = [];
        private long _read, _added, _alreadyPresent, _skipped;

        /// <summary>Counts an entry; true when it is an id to add.</summary>
        public bool Accept(string? id)
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

                return false;
            }

            _added++;
            return true;
        }

        /// <summary>The last accepted id set no new bit.</summary>
        public void AlreadyPresent() => _alreadyPresent++;

        /// <param name="newItems">Accepted ids that set a new bit, when counted as a whole rather than one by one.</param>
        public LoadReport ToReport(long? newItems = null) =>
            new(_read, _added, _skipped) { AlreadyPresent = newItems is { } found ? _added - found : _alreadyPresent, FirstSkippedLines = _firstSkipped.ToArray() };
    }
}
