namespace EdgeGuard.Filter;

/// <summary>
/// Fills a filter that nobody uses yet with many ids on several threads, without locks or atomic operations
/// per id, in bounded memory. The bits, and <see cref="BloomFilter.Count"/>, end up exactly as if every id had
/// been passed to <see cref="BloomFilter.Add(string)"/> in the same order on one thread.
/// </summary>
/// <remarks>
/// <para>How: ids are copied into a batch of at most <c>batchSize</c> ids. A full batch is handed to the
/// worker threads while the caller fills the next one (two batches at most, so memory is bounded by the batch
/// size, never by the number of ids). The workers hash the batch's ids, each thread a slice, into entries
/// (blocked layout: one (block, fingerprint) entry per id; standard: one entry per bit), and count them per
/// partition, a contiguous range of blocks (or words) of about 256 KB; then each slice moves its entries into
/// its partitions (a stable counting sort, so within a partition entries keep the ids' order); then each
/// partition is applied by one thread, which is the only one writing that range of the array, with plain
/// loads and stores. A partition's range fits a core's L2 cache, so applying it costs no cache misses and no
/// TLB misses either. Bits are only ever ORed in, and each block (each word) sees its entries in the ids'
/// order, so whether an id set a new bit comes out as on one thread.</para>
/// <para>Use: on a filter built aside. While a builder is filling it, the filter refuses
/// <see cref="BloomFilter.Add(string)"/> and <see cref="BloomFilter.UnionWith"/> (with
/// <see cref="InvalidOperationException"/>), and its answers to lookups are those of some of the ids handed
/// over so far. Once <see cref="Complete"/> has returned, every id is found on every thread that reads the
/// filter after it was published (by a lock, a volatile write or a task completion, as with any object).
/// The builder itself is for one producing thread.</para>
/// </remarks>
public sealed class ParallelBloomFilterBuilder : IDisposable
{
    /// <summary>Ids per batch unless told otherwise.</summary>
    public const int DefaultBatchSize = 1 << 18;

    /// <summary>The largest batch: the standard layout keeps an id's place in its batch in 20 bits.</summary>
    public const int MaxBatchSize = 1 << 20;

    private readonly BloomFilter _filter;
    private readonly BuildPlan _plan;
    private readonly ParallelOptions _parallel;
    private readonly BuildBatch[] _batches;
    private int _filling;
    private Task _applying = Task.CompletedTask;
    private long _handedOver;
    private long _newItems;
    private bool _ended;

    /// <param name="filter">The filter to fill; it belongs to this builder until <see cref="Complete"/> or <see cref="Dispose"/>.</param>
    /// <param name="maxDegreeOfParallelism">Worker threads; 0 for one per processor.</param>
    /// <param name="batchSize">Ids per batch, 1 to <see cref="MaxBatchSize"/>. There are two batches, each holding
    /// per id 36 bytes for its characters (room for 16 to start with) and its place, and 16 bytes per entry
    /// (one entry per id in the blocked layout, k in the standard one): at the default size 13.6 MB per batch
    /// for a blocked filter, 39 MB for a standard one with k = 7.</param>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is out of its range.</exception>
    /// <exception cref="InvalidOperationException">Another builder is filling <paramref name="filter"/>.</exception>
    public ParallelBloomFilterBuilder(BloomFilter filter, int maxDegreeOfParallelism = 0, int batchSize = DefaultBatchSize)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentOutOfRangeException.ThrowIfNegative(maxDegreeOfParallelism);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(batchSize, MaxBatchSize);
        var threads = maxDegreeOfParallelism == 0 ? Environment.ProcessorCount : maxDegreeOfParallelism;
        _filter = filter;
        _plan = BuildPlan.For(filter, threads);
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = threads };
        _batches = [new BuildBatch(batchSize, _plan), new BuildBatch(batchSize, _plan)];
        filter.BeginBuild(this);
    }

    /// <summary>Ids given so far.</summary>
    public long Added => _handedOver + _batches[_filling].Count;

    /// <summary>Hands <paramref name="item"/> over; it is in the filter once <see cref="Complete"/> returned.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="item"/> is null.</exception>
    public void Add(string item)
    {
        ArgumentNullException.ThrowIfNull(item);
        Add(item.AsSpan());
    }

    /// <summary>As <see cref="Add(string)"/>: the id is copied, so the span may be reused at once. Blocks while
    /// the batch is full and the previous one is still being applied.</summary>
    /// <exception cref="InvalidOperationException">The builder completed or was disposed.</exception>
    public void Add(ReadOnlySpan<char> item)
    {
        ThrowIfEnded();
        if (!_batches[_filling].TryAppend(item))
        {
            HandOffAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
            _batches[_filling].Append(item);
        }
    }

    /// <summary>As <see cref="Add(string)"/>, waiting asynchronously while the previous batch is applied.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while waiting.</exception>
    public ValueTask AddAsync(string item, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(item);
        return AddAsync(item.AsMemory(), cancellationToken);
    }

    /// <summary>As <see cref="AddAsync(string, CancellationToken)"/>: the id is copied once the returned task completes,
    /// so its memory may then be reused.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while waiting.</exception>
    public ValueTask AddAsync(ReadOnlyMemory<char> item, CancellationToken cancellationToken = default)
    {
        ThrowIfEnded();
        return _batches[_filling].TryAppend(item.Span) ? ValueTask.CompletedTask : AppendAfterHandOff(item, cancellationToken);

        async ValueTask AppendAfterHandOff(ReadOnlyMemory<char> item, CancellationToken cancellationToken)
        {
            await HandOffAsync(cancellationToken).ConfigureAwait(false);
            _batches[_filling].Append(item.Span);
        }
    }

    /// <summary>
    /// Applies what is left and waits for it. Returns the number of ids, of all given, that set at least one
    /// new bit (what <see cref="BloomFilter.Count"/> grew by). The filter is then free for other writers.
    /// </summary>
    public long Complete() => CompleteAsync(CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>As <see cref="Complete"/>, waiting asynchronously.</summary>
    public async Task<long> CompleteAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfEnded();
        await HandOffAsync(cancellationToken).ConfigureAwait(false);
        await _applying.WaitAsync(cancellationToken).ConfigureAwait(false);
        _ended = true;
        _filter.EndBuild(this);
        return Interlocked.Read(ref _newItems);
    }

    /// <summary>
    /// Ends the build. Without <see cref="Complete"/>, ids of a batch not yet handed over are dropped; batches
    /// handed over are applied in full (this waits for the one in progress).
    /// </summary>
    public void Dispose()
    {
        if (_ended)
        {
            return;
        }

        _ended = true;
        try
        {
            _applying.Wait();
        }
        catch (AggregateException)
        {
            // Its exception was the caller's to observe through Add or Complete; the filter is given back either way.
        }
        finally
        {
            _filter.EndBuild(this);
        }
    }

    /// <summary>Waits for the batch being applied, then starts applying the one filled, and fills the other.</summary>
    private async ValueTask HandOffAsync(CancellationToken cancellationToken)
    {
        await _applying.WaitAsync(cancellationToken).ConfigureAwait(false);
        var full = _batches[_filling];
        if (full.Count == 0)
        {
            return;
        }

        _handedOver += full.Count;
        _filling ^= 1;
        _batches[_filling].Clear();
        _applying = Task.Run(() => Apply(full), CancellationToken.None);
    }

    private void Apply(BuildBatch batch)
    {
        var slices = Math.Clamp(batch.Count / 4096, 1, _parallel.MaxDegreeOfParallelism);
        var partitions = _plan.Partitions;
        var histogram = batch.Histogram(slices);
        Parallel.For(0, slices, _parallel, slice =>
        {
            var (from, to) = Slice(batch.Count, slice, slices);
            _plan.Hash(batch, from, to, histogram.AsSpan(slice * partitions, partitions));
        });

        // Where each slice's entries go in each partition: partitions in order, and slices in order within one.
        var starts = batch.PartitionStarts;
        var next = 0;
        for (var partition = 0; partition < partitions; partition++)
        {
            starts[partition] = next;
            for (var slice = 0; slice < slices; slice++)
            {
                ref var count = ref histogram[slice * partitions + partition];
                (count, next) = (next, next + count); // the count becomes the slice's write offset
            }
        }

        starts[partitions] = next;
        Parallel.For(0, slices, _parallel, slice =>
        {
            var (from, to) = Slice(batch.Count, slice, slices);
            var offsets = histogram.AsSpan(slice * partitions, partitions);
            var entries = batch.Entries;
            var sorted = batch.Sorted;
            for (var i = from * _plan.EntriesPerItem; i < to * _plan.EntriesPerItem; i++)
            {
                sorted[offsets[_plan.PartitionOf(entries[i])]++] = entries[i];
            }
        });

        long newItems = 0;
        Parallel.For(0, partitions, _parallel, () => 0L,
            (partition, _, found) => found + _plan.Apply(batch, batch.Sorted.AsSpan(starts[partition], starts[partition + 1] - starts[partition])),
            found => Interlocked.Add(ref newItems, found));
        newItems += _plan.CountChanged(batch);
        Interlocked.Add(ref _newItems, newItems);
        _filter.CountAdded(newItems);
    }

    private static (int From, int To) Slice(int count, int slice, int slices) =>
        ((int)((long)count * slice / slices), (int)((long)count * (slice + 1) / slices));

    private void ThrowIfEnded() =>
        ObjectDisposedException.ThrowIf(_ended, this);
}
