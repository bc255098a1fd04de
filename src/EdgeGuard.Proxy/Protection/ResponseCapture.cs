using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;

namespace EdgeGuard.Proxy.Protection;

/// <summary>
/// Stands in for the response body while YARP forwards a cacheable request, so the gateway sees the whole
/// upstream answer before the client does: it can cache it, share it with waiting requests, or turn an
/// upstream failure into a clean problem response. A body larger than the cacheable limit is not held
/// back: past the limit, what was captured is written through and the rest streams as usual.
/// </summary>
internal sealed class ResponseCapture : Stream, IHttpResponseBodyFeature
{
    private readonly HttpContext _context;
    private readonly IHttpResponseBodyFeature _inner;
    private readonly int _limit;
    private byte[] _buffer = [];
    private int _length;
    private PipeWriter? _writer;

    private ResponseCapture(HttpContext context, IHttpResponseBodyFeature inner, int limit)
    {
        _context = context;
        _inner = inner;
        _limit = limit;
    }

    /// <summary>True once the body outgrew the limit and went through to the client.</summary>
    public bool Overflowed { get; private set; }

    public ReadOnlyMemory<byte> Captured => _buffer.AsMemory(0, _length);

    /// <summary>The captured body in an array of its own, exactly its length (copied only when the buffer is larger).</summary>
    public byte[] TakeBody() => _length == _buffer.Length ? _buffer : _buffer.AsSpan(0, _length).ToArray();

    public static ResponseCapture Install(HttpContext context, int limit)
    {
        var capture = new ResponseCapture(context, context.Features.GetRequiredFeature<IHttpResponseBodyFeature>(), limit);
        context.Features.Set<IHttpResponseBodyFeature>(capture);
        return capture;
    }

    /// <summary>Puts the real response body back; call before writing the answer.</summary>
    public async ValueTask UninstallAsync()
    {
        if (_writer is not null)
        {
            await _writer.FlushAsync().ConfigureAwait(false);
        }

        _context.Features.Set(_inner);
    }

    Stream IHttpResponseBodyFeature.Stream => this;

    PipeWriter IHttpResponseBodyFeature.Writer => _writer ??= PipeWriter.Create(this, new StreamPipeWriterOptions(leaveOpen: true));

    void IHttpResponseBodyFeature.DisableBuffering()
    {
    }

    Task IHttpResponseBodyFeature.StartAsync(CancellationToken cancellationToken) =>
        Overflowed ? _inner.StartAsync(cancellationToken) : Task.CompletedTask;

    Task IHttpResponseBodyFeature.SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken) =>
        SendFileFallback.SendFileAsync(this, path, offset, count, cancellationToken);

    Task IHttpResponseBodyFeature.CompleteAsync() => _writer is null ? Task.CompletedTask : _writer.FlushAsync().AsTask();

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!Overflowed && _length + buffer.Length <= _limit)
        {
            EnsureCapacity(_length + buffer.Length);
            buffer.Span.CopyTo(_buffer.AsSpan(_length));
            _length += buffer.Length;
            return;
        }

        if (!Overflowed)
        {
            Overflowed = true;
            await _inner.Stream.WriteAsync(Captured, cancellationToken).ConfigureAwait(false);
        }

        await _inner.Stream.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
    }

    public override void Flush()
    {
    }

    private void EnsureCapacity(int needed)
    {
        if (needed <= _buffer.Length)
        {
            return;
        }

        // Sized exactly by the upstream's Content-Length when it sent one, else by the first write (a small
        // body arrives in one), then doubled: a body that fits is then taken without a copy.
        var declared = _context.Response.ContentLength;
        var size = declared is { } length && length >= needed && length <= _limit
            ? (int)length
            : Math.Min(_limit, Math.Max(needed, _buffer.Length * 2));
        Array.Resize(ref _buffer, size);
    }

    public override Task FlushAsync(CancellationToken cancellationToken) =>
        Overflowed ? _inner.Stream.FlushAsync(cancellationToken) : Task.CompletedTask;

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
