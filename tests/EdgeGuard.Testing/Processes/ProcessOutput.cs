using System.Diagnostics;
using System.Text;

namespace EdgeGuard.Testing;

/// <summary>
/// What a process wrote: stdout, stderr, and both interleaved in arrival order. Each stream is read by a thread of its
/// own, not the thread pool: on Linux a read from a pipe blocks its thread, so <c>BeginOutputReadLine</c> would keep
/// two pool threads busy for every running process, and a test host's pool is small.
/// </summary>
internal sealed class ProcessOutput
{
    private readonly StringBuilder _all = new();
    private readonly StringBuilder _out = new();
    private readonly StringBuilder _error = new();
    private readonly List<Task> _pumps = [];

    public string All => Read(_all);

    public string Out => Read(_out);

    public string Error => Read(_error);

    /// <summary>Starts reading <paramref name="process"/>'s redirected stdout and stderr.</summary>
    public void Capture(Process process)
    {
        lock (_pumps)
        {
            _pumps.Add(Pump(process.StandardOutput, error: false, $"stdout of {process.Id}"));
            _pumps.Add(Pump(process.StandardError, error: true, $"stderr of {process.Id}"));
        }
    }

    /// <summary>Waits until everything the process (and any child that shares its output) wrote has been read.</summary>
    public async Task FlushAsync(TimeSpan timeout)
    {
        Task[] pumps;
        lock (_pumps)
        {
            pumps = [.. _pumps];
        }

        await Task.WhenAny(Task.WhenAll(pumps), Task.Delay(timeout));
    }

    private Task Pump(StreamReader reader, bool error, string name)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        new Thread(() =>
        {
            try
            {
                while (reader.ReadLine() is { } line)
                {
                    Append(line, error);
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
            }
            finally
            {
                done.SetResult();
            }
        })
        {
            IsBackground = true,
            Name = name,
        }.Start();
        return done.Task;
    }

    private void Append(string line, bool error)
    {
        lock (_all)
        {
            _all.AppendLine(line);
            (error ? _error : _out).AppendLine(line);
        }
    }

    private string Read(StringBuilder builder)
    {
        lock (_all)
        {
            return builder.ToString();
        }
    }
}
