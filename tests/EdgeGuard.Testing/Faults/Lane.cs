using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace EdgeGuard.Testing.Faults;

/// <summary>
/// One direction of a proxied connection: a reader that takes every byte from its source as it comes (so a sender
/// is never blocked by a fault), and a writer that delivers the chunks in order when the proxy's mode allows.
/// The writer decides and writes while holding a gate, so a mode change that has passed the gate is in force for
/// every later write.
/// </summary>
internal sealed class Lane(FaultDirection direction, IPEndPoint client, FaultState state, ProxyCounters counters, TimeProvider time)
{
    private readonly Channel<Chunk> _chunks = Channel.CreateUnbounded<Chunk>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly SemaphoreSlim _gate = new(1, 1);
    private long _pending;

    /// <summary>Bytes read and not yet delivered.</summary>
    public long Pending => Interlocked.Read(ref _pending);

    /// <summary>Reads until the source ends (then an end follows the data) or fails (then an abort does).</summary>
    public async Task ReadAsync(Socket source, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        var last = ChunkKind.End;
        try
        {
            while (true)
            {
                var read = await source.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
                if (read == 0)
                {
                    break;
                }

                Interlocked.Add(ref _pending, read);
                counters.Read(direction, read);
                _chunks.Writer.TryWrite(new Chunk(ChunkKind.Data, buffer.AsSpan(0, read).ToArray(), time.GetTimestamp()));
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            last = ChunkKind.Abort;
        }

        _chunks.Writer.TryWrite(new Chunk(last, [], time.GetTimestamp()));
        _chunks.Writer.TryComplete();
    }

    /// <summary>Delivers every chunk to <paramref name="destination"/>; true when the source ended cleanly (its FIN passed on).</summary>
    public async Task<bool> WriteAsync(Socket destination, CancellationToken cancellationToken)
    {
        while (await _chunks.Reader.WaitToReadAsync(cancellationToken))
        {
            _chunks.Reader.TryPeek(out var chunk);
            await DeliverAsync(chunk!, destination, cancellationToken);
            _chunks.Reader.TryRead(out _);
            if (chunk!.Kind != ChunkKind.Data)
            {
                return chunk.Kind == ChunkKind.End;
            }
        }

        return false;
    }

    /// <summary>Returns once no write begun under an earlier mode is still going on.</summary>
    public async Task QuiesceAsync()
    {
        await _gate.WaitAsync();
        _gate.Release();
    }

    /// <summary>Counts what was never delivered as gone (its connection closed).</summary>
    public void DiscardPending()
    {
        var pending = Interlocked.Exchange(ref _pending, 0);
        if (pending > 0)
        {
            counters.Discarded(direction, pending);
        }
    }

    private async Task DeliverAsync(Chunk chunk, Socket destination, CancellationToken cancellationToken)
    {
        TimeSpan? stall = null;
        while (true)
        {
            Task changed;
            TimeSpan wait;
            await _gate.WaitAsync(cancellationToken);
            try
            {
                (var settings, changed) = state.Read();
                wait = (settings.ModeFor(client), settings.Delay) switch
                {
                    (FaultMode.Pass, _) => TimeSpan.Zero,
                    (FaultMode.Delay, { } delay) when delay.Directions.HasFlag(direction) =>
                        delay.Latency + (stall ??= FaultState.DrawStall(settings)) - time.GetElapsedTime(chunk.ReadAt),
                    (FaultMode.Delay, _) => TimeSpan.Zero,
                    _ => Timeout.InfiniteTimeSpan, // held, or being reset
                };
                if (wait <= TimeSpan.Zero && wait != Timeout.InfiniteTimeSpan)
                {
                    await WriteAsync(chunk, destination, cancellationToken);
                    return;
                }
            }
            finally
            {
                _gate.Release();
            }

            if (wait == Timeout.InfiniteTimeSpan)
            {
                await changed.WaitAsync(cancellationToken);
            }
            else
            {
                await Task.WhenAny(changed, Task.Delay(wait, time, cancellationToken));
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
    }

    private async Task WriteAsync(Chunk chunk, Socket destination, CancellationToken cancellationToken)
    {
        switch (chunk.Kind)
        {
            case ChunkKind.Data:
                for (var sent = 0; sent < chunk.Bytes.Length;)
                {
                    sent += await destination.SendAsync(chunk.Bytes.AsMemory(sent), SocketFlags.None, cancellationToken);
                }

                Interlocked.Add(ref _pending, -chunk.Bytes.Length);
                counters.Delivered(direction, chunk.Bytes.Length);
                break;
            case ChunkKind.End:
                destination.Shutdown(SocketShutdown.Send);
                break;
            case ChunkKind.Abort:
                break; // the connection resets both sides
        }
    }

    private enum ChunkKind
    {
        Data,
        End,
        Abort,
    }

    private sealed record Chunk(ChunkKind Kind, byte[] Bytes, long ReadAt);
}
