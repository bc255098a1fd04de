namespace EdgeGuard.Proxy.Reads;

/// <summary>
/// Where the fetched body is held: grows to the answer's size, up to the limit; past it the copy fails (and
/// YARP stops reading), since a body that large is not held: such an id is passed through. A body that comes
/// in one write (a product's usually does) is held in an array of exactly its size, which the cache keeps as is:
/// no working buffer, no copy.
/// </summary>
internal sealed class HeldBody : Stream
{
    private byte[] _held = [];
    private int _length;
    private int _limit;

    public bool Overflowed { get; private set; }

    /// <summary>Empty, holding at most <paramref name="limit"/> bytes from now on (the array last taken is the taker's).</summary>
    public void Reset(int limit)
    {
        (_held, _length, _limit, Overflowed) = ([], 0, limit, false);
    }

    public ReadOnlyMemory<byte> Take() => _length == _held.Length ? _held : _held.AsSpan(0, _length).ToArray();

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (_length + buffer.Length > _limit)
        {
            Overflowed = true;
            throw new IOException($"The answer is larger than EdgeGuard:Cache:MaxBodyBytes ({_limit} bytes): it is not held.");
        }

        if (_length + buffer.Length > _held.Length)
        {
            // The first write sizes the array exactly; later ones at least double it (up to the limit).
            var size = _length == 0 ? buffer.Length : Math.Min(_limit, Math.Max(_length + buffer.Length, _held.Length * 2));
            Array.Resize(ref _held, size);
        }

        buffer.CopyTo(_held.AsSpan(_length));
        _length += buffer.Length;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => _length;

    public override long Position { get => _length; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
