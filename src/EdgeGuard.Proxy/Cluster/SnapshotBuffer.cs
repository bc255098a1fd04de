namespace EdgeGuard.Proxy.Cluster;

/// <summary>
/// A write-only stream that keeps what is written in arrays of <see cref="SnapshotStore.ChunkBytes"/>: the chunks of a
/// snapshot as <see cref="SnapshotStore.WriteAsync"/> sends them, so a serialised filter is held once, in pieces that
/// stay off one huge array (a <see cref="MemoryStream"/> grows by doubling, copying all it holds each time). The first
/// array starts small and doubles up to a chunk, so a small filter's snapshot takes little more than its size.
/// </summary>
/// <remarks>
/// The arrays are pinned, so they come from the pinned object heap, where a large filter's bit array lies (pinned for
/// its huge pages). A snapshot written just after a reload's swap then takes the memory the replaced filter left there
/// instead of new memory on the large object heap beside it (bench/RESULTS.md, "Fifty million ids against issue 23's
/// targets").
/// </remarks>
public sealed class SnapshotBuffer : Stream
{
    private const int FirstArrayBytes = 64 * 1024;

    private readonly List<byte[]> _arrays = [];
    private readonly int _chunkBytes;
    private long _length;

    public SnapshotBuffer()
        : this(SnapshotStore.ChunkBytes)
    {
    }

    /// <param name="chunkBytes">Bytes per chunk (tests use small ones).</param>
    internal SnapshotBuffer(int chunkBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunkBytes);
        _chunkBytes = chunkBytes;
    }

    /// <summary>What was written, chunk by chunk: every chunk but the last is <see cref="SnapshotStore.ChunkBytes"/> long.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Chunks =>
    [
        .. _arrays.Select((array, index) => (ReadOnlyMemory<byte>)array.AsMemory(0, (int)Math.Min(_chunkBytes, _length - (long)index * _chunkBytes))),
    ];

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => _length;

    public override long Position
    {
        get => _length;
        set => throw new NotSupportedException();
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            var offset = (int)(_length % _chunkBytes);
            if (offset == 0 && _length / _chunkBytes == _arrays.Count)
            {
                // A new chunk: small if it is the first (it may be the only one), whole otherwise.
                _arrays.Add(GC.AllocateUninitializedArray<byte>(_arrays.Count == 0 ? Math.Min(_chunkBytes, FirstArrayBytes) : _chunkBytes, pinned: true));
            }

            var array = _arrays[^1];
            if (offset == array.Length)
            {
                array = GC.AllocateUninitializedArray<byte>((int)Math.Min(_chunkBytes, array.Length * 2L), pinned: true);
                _arrays[^1].AsSpan(0, offset).CopyTo(array);
                _arrays[^1] = array;
            }

            var count = Math.Min(buffer.Length, array.Length - offset);
            buffer[..count].CopyTo(array.AsSpan(offset));
            buffer = buffer[count..];
            _length += count;
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void WriteByte(byte value) => Write([value]);

    public override void Flush()
    {
    }

    /// <summary>Drops the chunks; a buffer of a large filter has its memory given back at once (<see cref="Filtering.MemoryRelease"/>).</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing && _arrays.Count > 0)
        {
            _arrays.Clear();
            Filtering.MemoryRelease.Collect(_length);
        }

        base.Dispose(disposing);
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
