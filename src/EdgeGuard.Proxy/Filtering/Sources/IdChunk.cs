using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace EdgeGuard.Proxy.Filtering.Sources;

/// <summary>
/// A run of ids written end to end into one reused character buffer (see <see cref="IChunkedIdSource"/>): a source
/// writes ids into it until it <see cref="IsFull"/>, hands it over, and clears it for the next run.
/// </summary>
public sealed class IdChunk
{
    /// <summary>Ids per chunk unless told otherwise.</summary>
    public const int DefaultCapacity = 1024;

    private const int InitialCharsPerId = 16;

    private readonly int[] _ends; // id i is _chars[_ends[i - 1] .. _ends[i])
    private char[] _chars;
    private int _used;
    private int _reserved = -1;

    /// <param name="capacity">The most ids the chunk holds.</param>
    public IdChunk(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _ends = new int[capacity];
        _chars = new char[capacity * InitialCharsPerId];
    }

    /// <summary>Ids in the chunk.</summary>
    public int Count { get; private set; }

    /// <summary>True when the chunk holds as many ids as it can.</summary>
    public bool IsFull => Count == _ends.Length;

    /// <summary>The id at <paramref name="index"/>, valid until the chunk is cleared or written to.</summary>
    public ReadOnlySpan<char> this[int index] => Memory(index).Span;

    /// <summary>As the indexer, as memory (for a reader that awaits while it holds the id).</summary>
    public ReadOnlyMemory<char> Memory(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
        var start = index == 0 ? 0 : _ends[index - 1];
        return _chars.AsMemory(start, _ends[index] - start);
    }

    /// <summary>Appends a copy of <paramref name="id"/>.</summary>
    /// <exception cref="InvalidOperationException">The chunk is full.</exception>
    public void Add(ReadOnlySpan<char> id)
    {
        id.CopyTo(Reserve(id.Length));
        Commit(id.Length);
    }

    /// <summary>Appends the id <paramref name="utf8"/> spells in UTF-8, decoded.</summary>
    /// <exception cref="InvalidOperationException">The chunk is full.</exception>
    public void AddUtf8(ReadOnlySpan<byte> utf8) => Commit(Encoding.UTF8.GetChars(utf8, Reserve(Encoding.UTF8.GetMaxCharCount(utf8.Length))));

    /// <summary>Appends <paramref name="value"/> in invariant form (a number's digits, a uuid's lower-case form), which
    /// takes at most <paramref name="maxChars"/> characters.</summary>
    /// <exception cref="InvalidOperationException">The chunk is full, or the value took more room.</exception>
    public void AddFormatted<T>(T value, int maxChars)
        where T : ISpanFormattable
    {
        if (!value.TryFormat(Reserve(maxChars), out var written, default, CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException($"A {typeof(T).Name} did not fit in {maxChars} characters.");
        }

        Commit(written);
    }

    /// <summary>
    /// Room for the next id, of at most <paramref name="maxLength"/> characters, for the caller to write it in place;
    /// <see cref="Commit"/> then says how many it wrote.
    /// </summary>
    /// <exception cref="InvalidOperationException">The chunk is full.</exception>
    public Span<char> Reserve(int maxLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxLength);
        if (IsFull)
        {
            throw new InvalidOperationException("The id chunk is full.");
        }

        if (maxLength > _chars.Length - _used)
        {
            Array.Resize(ref _chars, Math.Max(_used + maxLength, _chars.Length * 2));
        }

        _reserved = maxLength;
        return _chars.AsSpan(_used, maxLength);
    }

    /// <summary>Ends the id written into <see cref="Reserve"/>'s room: its first <paramref name="length"/> characters.</summary>
    /// <exception cref="InvalidOperationException">Nothing was reserved, or less than <paramref name="length"/>.</exception>
    public void Commit(int length)
    {
        if (length < 0 || length > _reserved)
        {
            throw new InvalidOperationException($"{length} characters were committed where {_reserved} were reserved.");
        }

        _reserved = -1;
        _used += length;
        _ends[Count++] = _used;
    }

    /// <summary>Empties the chunk for the next run of ids.</summary>
    public void Clear()
    {
        Count = 0;
        _used = 0;
        _reserved = -1;
    }

    /// <summary>The ids of <paramref name="ids"/> in chunks (one chunk, reused), for a source that reads strings.</summary>
    public static async IAsyncEnumerable<IdChunk> Of(IAsyncEnumerable<string> ids, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var chunk = new IdChunk();
        await foreach (var id in ids.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            chunk.Add(id);
            if (chunk.IsFull)
            {
                yield return chunk;
                chunk.Clear();
            }
        }

        if (chunk.Count > 0)
        {
            yield return chunk;
        }
    }

    /// <summary>Every id of <paramref name="chunks"/> as a string, for a reader that keeps them. A cancellation stops it
    /// at the next id, not at the chunk's end.</summary>
    public static async IAsyncEnumerable<string> Strings(IAsyncEnumerable<IdChunk> chunks, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var chunk in chunks.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            for (var i = 0; i < chunk.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return chunk.Memory(i).ToString();
            }
        }
    }
}
