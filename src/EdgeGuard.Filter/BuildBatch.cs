namespace EdgeGuard.Filter;

/// <summary>
/// One batch of a <see cref="ParallelBloomFilterBuilder"/>: the ids, copied end to end into one character
/// buffer, and the working arrays the workers hash and sort them into. Reused batch after batch.
/// </summary>
internal sealed class BuildBatch
{
    private const int InitialCharsPerItem = 16;

    private readonly int[] _ends; // id i is _chars[_ends[i - 1] .. _ends[i])
    private char[] _chars;
    private int _used;
    private int[] _histogram = [];

    public BuildBatch(int capacity, BuildPlan plan)
    {
        _ends = new int[capacity];
        _chars = new char[capacity * InitialCharsPerItem];
        Entries = new ulong[capacity * plan.EntriesPerItem];
        Sorted = new ulong[Entries.Length];
        Changed = plan.TracksItems ? new byte[capacity] : [];
        PartitionStarts = new int[plan.Partitions + 1];
    }

    /// <summary>Ids in the batch.</summary>
    public int Count { get; private set; }

    /// <summary>Entries in the ids' order (see <see cref="BuildPlan"/>), <c>EntriesPerItem</c> per id.</summary>
    public ulong[] Entries { get; }

    /// <summary>The same entries grouped by partition, in the ids' order within each.</summary>
    public ulong[] Sorted { get; }

    /// <summary>Per id, 1 when it set a new bit (the standard layout, whose ids span partitions).</summary>
    public byte[] Changed { get; }

    /// <summary>Where each partition's entries start in <see cref="Sorted"/>, and where the last ends.</summary>
    public int[] PartitionStarts { get; }

    /// <summary>Appends an id; false when the batch is full (or its characters do not fit while it holds others).</summary>
    public bool TryAppend(ReadOnlySpan<char> item)
    {
        if (Count == _ends.Length)
        {
            return false;
        }

        if (item.Length > _chars.Length - _used)
        {
            if (Count > 0)
            {
                return false;
            }

            _chars = new char[Math.Max(item.Length, _chars.Length * 2)];
        }

        item.CopyTo(_chars.AsSpan(_used));
        _used += item.Length;
        _ends[Count++] = _used;
        return true;
    }

    /// <summary>Appends an id to a batch just emptied, which always has room for one.</summary>
    public void Append(ReadOnlySpan<char> item)
    {
        if (!TryAppend(item))
        {
            throw new InvalidOperationException("An empty build batch refused an id.");
        }
    }

    public ReadOnlySpan<char> Item(int index)
    {
        var start = index == 0 ? 0 : _ends[index - 1];
        return _chars.AsSpan(start, _ends[index] - start);
    }

    public void Clear()
    {
        Count = 0;
        _used = 0;
    }

    /// <summary>A zeroed count per (slice, partition), slice-major.</summary>
    public int[] Histogram(int slices)
    {
        var length = slices * (PartitionStarts.Length - 1);
        if (_histogram.Length < length)
        {
            _histogram = new int[length];
        }

        Array.Clear(_histogram, 0, length);
        return _histogram;
    }
}
