using System.Net;
using System.Net.Sockets;

namespace EdgeGuard.Testing.Faults;

/// <summary>
/// One direction of a proxied connection: a reader that takes every byte from its source as it comes (so a sender is
/// never blocked by a fault), and a writer that delivers the chunks in order when the proxy's mode allows. Both are
/// threads of their own with blocking sockets: a test host's thread pool can be starved for half a second, which
/// would be a fault nobody asked for. The writer decides and writes while holding a gate, so a mode change that has
/// passed the gate is in force for every later write.
/// </summary>
internal sealed class Lane(FaultDirection direction, IPEndPoint client, FaultState state, ProxyCounters counters)
{
    private readonly Queue<Chunk> _chunks = new();
    private readonly Lock _gate = new();
    private long _pending;
    private volatile bool _stopped;

    /// <summary>Bytes read and not yet delivered.</summary>
    public long Pending => Interlocked.Read(ref _pending);

    /// <summary>Reads until the source ends (then an end follows the data) or fails (then an abort does).</summary>
    public void Read(Socket source)
    {
        var buffer = new byte[16 * 1024];
        var last = ChunkKind.End;
        try
        {
            int read;
            while ((read = source.Receive(buffer)) > 0)
            {
                // Its time is taken before it is counted (a test that saw the count may move a fake clock on at once),
                // and it is counted before it is queued (its delivery is counted after).
                var readAt = state.Time.GetTimestamp();
                Interlocked.Add(ref _pending, read);
                counters.Read(direction, read);
                Enqueue(new Chunk(ChunkKind.Data, buffer.AsSpan(0, read).ToArray(), readAt));
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            last = ChunkKind.Abort;
        }

        Enqueue(new Chunk(last, [], state.Time.GetTimestamp()));
    }

    /// <summary>Delivers every chunk to <paramref name="destination"/>; true when the source ended cleanly (its FIN passed on).</summary>
    public bool Write(Socket destination)
    {
        try
        {
            while (NextChunk() is { } chunk)
            {
                if (!Deliver(chunk, destination))
                {
                    return false; // stopped
                }

                lock (_chunks)
                {
                    _chunks.Dequeue();
                }

                if (chunk.Kind != ChunkKind.Data)
                {
                    return chunk.Kind == ChunkKind.End;
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }

        return false;
    }

    /// <summary>Returns once no write begun under an earlier mode is still going on.</summary>
    public void Quiesce()
    {
        lock (_gate)
        {
        }
    }

    /// <summary>Ends the writer (its connection is closing) and counts what was never delivered as gone.</summary>
    public void Stop()
    {
        long pending;
        lock (_gate)
        {
            _stopped = true;
            pending = Interlocked.Exchange(ref _pending, 0);
        }

        lock (_chunks)
        {
            Monitor.PulseAll(_chunks);
        }

        if (pending > 0)
        {
            counters.Discarded(direction, pending);
        }
    }

    private void Enqueue(Chunk chunk)
    {
        lock (_chunks)
        {
            _chunks.Enqueue(chunk);
            Monitor.PulseAll(_chunks);
        }
    }

    private Chunk? NextChunk()
    {
        lock (_chunks)
        {
            while (_chunks.Count == 0 && !_stopped)
            {
                Monitor.Wait(_chunks);
            }

            return _stopped ? null : _chunks.Peek();
        }
    }

    /// <summary>Waits until the mode lets <paramref name="chunk"/> through and writes it; false when the lane was stopped first.</summary>
    private bool Deliver(Chunk chunk, Socket destination)
    {
        TimeSpan? stall = null;
        while (!_stopped)
        {
            long tick;
            long? due;
            lock (_gate)
            {
                (var settings, tick) = state.Read();
                due = (settings.ModeFor(client), settings.Delay) switch
                {
                    (FaultMode.Pass, _) => chunk.ReadAt,
                    (FaultMode.Delay, { } delay) when delay.Directions.HasFlag(direction) =>
                        chunk.ReadAt + Timestamps(delay.Latency + (stall ??= FaultState.DrawStall(settings))),
                    (FaultMode.Delay, _) => chunk.ReadAt,
                    _ => null, // held, or being reset: until the mode changes
                };
                if (_stopped)
                {
                    return false;
                }

                if (due is { } deadline && state.Time.GetTimestamp() >= deadline)
                {
                    WriteChunk(chunk, destination);
                    return true;
                }
            }

            state.WaitPast(tick, due);
        }

        return false;
    }

    /// <summary><paramref name="time"/> in the clock's timestamp units, rounded up: a chunk is never delivered early.</summary>
    private long Timestamps(TimeSpan time) =>
        (long)(((Int128)time.Ticks * state.Time.TimestampFrequency + TimeSpan.TicksPerSecond - 1) / TimeSpan.TicksPerSecond);

    private void WriteChunk(Chunk chunk, Socket destination)
    {
        switch (chunk.Kind)
        {
            case ChunkKind.Data:
                for (var sent = 0; sent < chunk.Bytes.Length;)
                {
                    sent += destination.Send(chunk.Bytes, sent, chunk.Bytes.Length - sent, SocketFlags.None);
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
