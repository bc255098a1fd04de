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
        using var timer = due is not null && !system ? time.CreateTimer(_ => Wake(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan) : null;
        if (timer is not null && !Arm(timer, due!.Value))
        {
            return;
        }

        lock (_lock)
        {
            if (_tick == tick && (due is null || time.GetTimestamp() < due))
            {
                Monitor.Wait(_lock, system ? remaining : Timeout.InfiniteTimeSpan);
            }
        }
    }

    /// <summary>
    /// Sets <paramref name="timer"/> to fire when the clock reaches <paramref name="due"/>; false if it already has. A
    /// timer is set relative to the clock's time when it is set, and a test may move a fake clock on between the read
    /// and the setting (the timer would then fire that much late, and a test that moves the clock no further would
    /// wait for ever): the clock is read again after setting, and the timer set again until the clock stood still.
    /// </summary>
    private bool Arm(ITimer timer, long due)
    {
        while (true)
        {
            var before = time.GetTimestamp();
            if (before >= due)
            {
                return false;
            }

            timer.Change(time.GetElapsedTime(before, due), Timeout.InfiniteTimeSpan);
            if (time.GetTimestamp() == before)
            {
                return true;
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
