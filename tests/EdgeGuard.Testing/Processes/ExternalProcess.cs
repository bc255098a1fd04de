using System.Diagnostics;

namespace EdgeGuard.Testing;

/// <summary>
/// One external process a test or a benchmark runs (redis-server, a Sentinel, PostgreSQL, a gateway): started
/// from the <see cref="ProcessCommand"/> its subclass describes, its output captured, ready once the subclass's
/// probe says so. It can be frozen (SIGSTOP) and thawed (SIGCONT), killed (SIGKILL), stopped gracefully (the
/// subclass's <see cref="StopSignal"/>, then SIGKILL after a grace period) and started again from the same
/// command (the same port: a restart, not a new server). Disposing kills it, then lets the subclass clean up.
/// </summary>
public abstract class ExternalProcess : IAsyncDisposable
{
    /// <summary>How long to wait, after the process exited, for the rest of its output.</summary>
    private static readonly TimeSpan OutputGrace = TimeSpan.FromSeconds(5);

    private readonly ProcessOutput _output = new();
    private Process? _process;
    private bool _disposed;

    /// <summary>What this process is, for messages ("redis-server on port 6379").</summary>
    public abstract string Name { get; }

    /// <summary>How long <see cref="StartAsync"/> waits for the probe to succeed.</summary>
    protected virtual TimeSpan StartTimeout => TimeSpan.FromSeconds(30);

    /// <summary>The signal a graceful stop sends first (SIGTERM unless the program wants another).</summary>
    protected virtual int StopSignal => Signals.Term;

    /// <summary>True while the process runs (a frozen process runs).</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>True once a started process has exited (by itself or killed).</summary>
    public bool HasExited => _process is { HasExited: true };

    /// <summary>The running process's id.</summary>
    public int ProcessId => (_process ?? throw new InvalidOperationException($"{Name} was never started.")).Id;

    /// <summary>Everything the process wrote, stdout and stderr interleaved, over all its starts.</summary>
    public string Output => _output.All;

    public string StandardOutput => _output.Out;

    public string StandardError => _output.Error;

    /// <summary>What to run; asked at every start, so a subclass can start differently the next time.</summary>
    protected abstract ProcessCommand Command();

    /// <summary>True once the process serves (it answers PING, accepts a connection, reports healthy).</summary>
    protected abstract Task<bool> IsReadyAsync(CancellationToken cancellationToken);

    /// <summary>Starts the process and waits until <see cref="IsReadyAsync"/> holds; kills it if it never does.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        Launch();
        try
        {
            await WaitUntilReadyAsync(StartTimeout, cancellationToken);
        }
        catch
        {
            Kill();
            throw;
        }
    }

    /// <summary>Starts the process without waiting for it to be ready (a test may expect it to refuse to start).</summary>
    public void Launch()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (IsRunning)
        {
            throw new InvalidOperationException($"{Name} is already running.");
        }

        _process?.Dispose();
        _process = Command().Start(_output);
    }

    /// <summary>Polls the probe until it holds; fails at once, with the output, if the process exits meanwhile.</summary>
    public async Task WaitUntilReadyAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var process = _process ?? throw new InvalidOperationException($"{Name} was never started.");
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                await _output.FlushAsync(OutputGrace);
                throw new InvalidOperationException($"{Name} exited with code {process.ExitCode} while starting:{Environment.NewLine}{Output}");
            }

            if (await IsReadyAsync(cancellationToken))
            {
                return;
            }

            if (stopwatch.Elapsed > timeout)
            {
                throw new TimeoutException($"{Name} was not ready within {timeout.TotalSeconds} s:{Environment.NewLine}{Output}");
            }

            await Task.Delay(20, cancellationToken);
        }
    }

    /// <summary>Waits for the process to exit by itself; its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        var process = _process ?? throw new InvalidOperationException($"{Name} was never started.");
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Name} did not exit within {timeout.TotalSeconds} s.{Environment.NewLine}{Output}");
        }

        await _output.FlushAsync(OutputGrace);
        return process.ExitCode;
    }

    /// <summary>SIGSTOP: the process hangs with its connections open, answering nothing (frozen, not dead).</summary>
    public void Freeze() => Signal(Signals.Stop);

    /// <summary>SIGCONT: a frozen process goes on where it stopped.</summary>
    public void Thaw() => Signal(Signals.Continue);

    /// <summary>SIGKILL to the process and its children (an outage, not a shutdown); waits until it is gone.</summary>
    public void Kill()
    {
        if (_process is not { } process)
        {
            return;
        }

        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill.
        }
    }

    /// <summary>Sends <see cref="StopSignal"/> and waits up to <paramref name="grace"/> for the process to exit; kills it after that.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_process is not { HasExited: false } process)
        {
            return;
        }

        Signals.Send(process.Id, Signals.Continue); // a frozen process cannot act on the stop signal
        Signals.Send(process.Id, StopSignal);
        using var timeout = new CancellationTokenSource(grace);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
            await _output.FlushAsync(OutputGrace);
        }
        catch (OperationCanceledException)
        {
            Kill();
        }
    }

    /// <summary>Kills the process and starts it again from the same command, waiting until it is ready.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        Kill();
        await StartAsync(cancellationToken);
    }

    /// <summary>Kills the process (thawing it first) and lets the subclass delete what it made.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (IsRunning)
        {
            Signals.Send(_process!.Id, Signals.Continue);
        }

        Kill();
        _process?.Dispose();
        await CleanUpAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>Deletes what the subclass made (temporary directories); runs once, after the process is gone.</summary>
    protected virtual ValueTask CleanUpAsync() => ValueTask.CompletedTask;

    private void Signal(int signal)
    {
        if (_process is not { HasExited: false } process)
        {
            throw new InvalidOperationException($"{Name} is not running.");
        }

        Signals.Send(process.Id, signal);
    }
}
