namespace EdgeGuard.Proxy.Cluster;

/// <summary>
/// A read-only stream over a snapshot's chunks in Redis, fetched one at a time as they are read: while the reader
/// parses one chunk the next one is on its way, and a chunk read to its end is let go. So reading a snapshot of any
/// size holds at most two chunks besides what the reader makes of them (the chunks let go are garbage for the GC,
/// not kept in a pool: see <see cref="Filtering.MemoryRelease"/>). <see cref="Read(Span{byte})"/> waits for a chunk
/// synchronously (the filter's reader pulls bytes): run it on a thread of its own.
/// </summary>
internal sealed class SnapshotChunkStream : Stream
{
    private readonly Func<int, Task<byte[]?>> _fetch;
    private readonly int _chunks;
    private readonly long _bytes;
    private Task<byte[]?>? _next;
    private byte[]? _current;
    private int _offset;
    private int _taken;
    private long _read;

    /// <param name="fetch">Fetches chunk i (null when it does not exist).</param>
    /// <param name="chunks">How many chunks the manifest names.</param>
    /// <param name="bytes">How many bytes the manifest says they hold.</param>
    public SnapshotChunkStream(Func<int, Task<byte[]?>> fetch, int chunks, long bytes)
    {
        _fetch = fetch;
        _chunks = chunks;
        _bytes = bytes;
    }

    /// <summary>Chunks asked of Redis so far: the one being read and at most one ahead.</summary>
    public int Requested { get; private set; }

    /// <summary>Bytes read so far.</summary>
    public long BytesRead => _read;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _read;
        set => throw new NotSupportedException();
    }

    /// <exception cref="ChunkMissingException">A chunk the manifest names is not in Redis (a newer version replaced it).</exception>
    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (_current is null || _offset == _current.Length)
        {
            if (!TakeNextChunk())
            {
                return 0;
            }
        }

        var count = Math.Min(buffer.Length, _current.Length - _offset);
        _current.AsSpan(_offset, count).CopyTo(buffer);
        _offset += count;
        _read += count;
        return count;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <summary>
    /// Reads what is left, which must be nothing: every chunk the manifest names is fetched, and together they hold
    /// exactly the bytes it says.
    /// </summary>
    /// <exception cref="InvalidDataException">Bytes are left after what was read, or the chunks hold another length than the manifest says.</exception>
    /// <exception cref="ChunkMissingException">A chunk is missing.</exception>
    public void ReadToEnd()
    {
        var before = _read;
        Span<byte> rest = stackalloc byte[4096];
        while (Read(rest) > 0)
        {
        }

        if (_read != before)
        {
            throw new InvalidDataException($"The cluster's filter snapshot holds {_read - before} bytes after the filter.");
        }

        if (_read != _bytes)
        {
            throw new InvalidDataException($"The cluster's filter snapshot holds {_read} bytes; its manifest says {_bytes}.");
        }
    }

    private bool TakeNextChunk()
    {
        _current = null;
        if (_taken == _chunks)
        {
            return false;
        }

        var fetching = _next ?? Request();
        _next = _taken + 1 < _chunks ? Request() : null;
        _current = fetching.GetAwaiter().GetResult() ?? throw new ChunkMissingException(_taken);
        _offset = 0;
        _taken++;
        return true;
    }

    private Task<byte[]?> Request() => _fetch(Requested++);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _current = null;
            // A chunk on its way when reading stopped: its failure is observed, not left to the finalizer.
            _next?.ContinueWith(static fetched => _ = fetched.Exception, CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            _next = null;
        }

        base.Dispose(disposing);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <summary>A chunk the manifest names is not in Redis: a newer snapshot replaced this one while it was read.</summary>
    public sealed class ChunkMissingException(int chunk) : Exception($"Chunk {chunk} of the cluster's filter snapshot is gone.");
}
