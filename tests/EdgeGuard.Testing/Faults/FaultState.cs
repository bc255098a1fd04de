using System.Net;

namespace EdgeGuard.Testing.Faults;

/// <summary>The mode a proxy is in, what a delay needs, and which clients' connections the mode applies to (null: all).</summary>
internal sealed record FaultSettings(FaultMode Mode, DelayFault? Delay, IEnumerator<TimeSpan>? Stalls, Func<IPEndPoint, bool>? Clients)
{
    public static FaultSettings Pass { get; } = new(FaultMode.Pass, null, null, null);

    /// <summary>The mode for a connection from <paramref name="client"/>: the proxy's, or Pass for a client outside its scope.</summary>
    public FaultMode ModeFor(IPEndPoint client) => Clients is null || Clients(client) ? Mode : FaultMode.Pass;
}

/// <summary>
/// A proxy's current <see cref="FaultSettings"/>, shared by its connections' threads. Every change, and every wake-up
/// (a delay's timer, a connection closing), advances a tick; a thread that read the settings at one tick waits until
/// the tick moves on, so nothing that happens after its read is missed.
/// </summary>
internal sealed class FaultState(TimeProvider time)
{
    private readonly object _lock = new(); // Monitor.Wait and PulseAll need an object, not a Lock
    private FaultSettings _settings = FaultSettings.Pass;
    private long _tick;

    public TimeProvider Time => time;

    public FaultMode Mode
    {
        get
        {
            lock (_lock)
            {
                return _settings.Mode;
            }
        }
    }

    /// <summary>The settings in force and the tick they were read at.</summary>
    public (FaultSettings Settings, long Tick) Read()
    {
        lock (_lock)
        {
            return (_settings, _tick);
        }
    }

    public void Set(FaultSettings settings)
    {
        lock (_lock)
        {
            _settings = settings;
            Advance();
        }
    }

    /// <summary>Wakes every waiting thread to look again (a connection closed, a timer fired).</summary>
    public void Wake()
    {
        lock (_lock)
        {
            Advance();
        }
    }

    /// <summary>
    /// Waits until the tick has moved past <paramref name="tick"/>, or until the proxy's clock reaches
    /// <paramref name="due"/> (a timestamp of <see cref="Time"/>; null: no deadline).
    /// </summary>
    public void WaitPast(long tick, long? due)
    {
        var remaining = due is { } deadline ? time.GetElapsedTime(time.GetTimestamp(), deadline) : Timeout.InfiniteTimeSpan;
        if (due is not null && remaining <= TimeSpan.Zero)
        {
            return;
        }

        // A clock other than the system's (a fake one in tests) moves when the test says: its timer wakes the waiter,
        // and the clock is read again once the timer exists, in case it moved in between.
        var system = time == TimeProvider.System;
        using var timer = due is not null && !system ? time.CreateTimer(_ => Wake(), null, remaining, Timeout.InfiniteTimeSpan) : null;
        lock (_lock)
        {
            if (_tick == tick && (due is null || time.GetTimestamp() < due))
            {
                Monitor.Wait(_lock, system ? remaining : Timeout.InfiniteTimeSpan);
            }
        }
    }

    /// <summary>The next chunk's stall under <paramref name="settings"/> (zero when they are not a delay).</summary>
    public static TimeSpan DrawStall(FaultSettings settings)
    {
        if (settings.Stalls is not { } stalls)
        {
            return TimeSpan.Zero;
        }

        lock (stalls)
        {
            stalls.MoveNext();
            return stalls.Current;
        }
    }

    private void Advance()
    {
        _tick++;
        Monitor.PulseAll(_lock);
    }
}
