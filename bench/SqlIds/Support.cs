using System.Diagnostics;

namespace SqlIds;

/// <summary>Samples the managed heap and the working set every few milliseconds and keeps their peaks.</summary>
internal sealed class MemorySampler : IDisposable
{
    private readonly Thread _thread;
    private volatile bool _stop;
    private long _heapPeak;
    private long _workingSetPeak;

    public MemorySampler() => _thread = new Thread(Sample) { IsBackground = true, Name = "memory sampler" };

    public void Start() => _thread.Start();

    /// <summary>Stops sampling (after one last sample) and waits for it.</summary>
    public void Stop()
    {
        if (!_stop && _thread.IsAlive)
        {
            _stop = true;
            _thread.Join();
        }

        _stop = true;
    }

    public long HeapPeak => Interlocked.Read(ref _heapPeak);

    public long WorkingSetPeak => Interlocked.Read(ref _workingSetPeak);

    private void Sample()
    {
        using var process = Process.GetCurrentProcess();
        while (!_stop)
        {
            Record();
            Thread.Sleep(5);
        }

        Record();

        void Record()
        {
            process.Refresh();
            InterlockedMax(ref _heapPeak, GC.GetTotalMemory(forceFullCollection: false));
            InterlockedMax(ref _workingSetPeak, process.WorkingSet64);
        }
    }

    private static void InterlockedMax(ref long target, long value)
    {
        long current;
        while (value > (current = Interlocked.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    public void Dispose() => Stop();
}
