using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

using EdgeGuard.Proxy.Tests.Infrastructure;

namespace EdgeGuard.Proxy.Tests.Redis;

/// <summary>
/// A real <c>redis-server</c> on a free loopback port, with no persistence, in its own temporary directory.
/// It can be killed and started again on the same port in the middle of a test (a cache outage), and is
/// killed on dispose. A missing <c>redis-server</c> fails the test with a message saying how to get it:
/// these tests are never skipped.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);

    private readonly string _executable;
    private readonly string _directory;
    private readonly StringBuilder _output = new();
    private Process? _process;

    private RedisServer(string executable, int port)
    {
        _executable = executable;
        Port = port;
        _directory = Directory.CreateTempSubdirectory("edgeguard-redis-").FullName;
    }

    public int Port { get; }

    /// <summary>The gateway's <c>REDIS_URL</c> for this server.</summary>
    public string Url => $"redis://127.0.0.1:{Port}";

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Starts a server on a free port and waits until it answers PING.</summary>
    public static async Task<RedisServer> StartAsync()
    {
        var executable = FindExecutable() ?? throw new InvalidOperationException(
            "redis-server was not found (looked on PATH and in /usr/bin, /usr/local/bin). The Redis integration " +
            "tests need a real Redis: install it with `apt-get install -y redis-server` (test.sh does this).");

        // Another process may take the free port between the probe and redis-server's bind: try a few ports.
        for (var attempt = 1; ; attempt++)
        {
            var server = new RedisServer(executable, LoopbackPorts.Free());
            try
            {
                await server.StartAsync(CancellationToken.None);
                return server;
            }
            catch (Exception) when (attempt < 3)
            {
                await server.DisposeAsync();
            }
        }
    }

    /// <summary>Starts (again) on the same port, waiting until it answers PING.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (IsRunning)
        {
            throw new InvalidOperationException($"redis-server is already running on port {Port}.");
        }

        var start = new ProcessStartInfo(_executable)
        {
            WorkingDirectory = _directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     "--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                     "--dir", _directory, "--daemonize", "no", "--protected-mode", "yes", "--enable-debug-command", "local",
                 })
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => AppendOutput(e.Data);
        process.ErrorDataReceived += (_, e) => AppendOutput(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException(
                    $"redis-server exited with code {process.ExitCode} while starting on port {Port}:{Environment.NewLine}{Output}");
            }

            if (await PingAsync(cancellationToken))
            {
                return;
            }

            if (deadline.Elapsed > StartTimeout)
            {
                throw new TimeoutException($"redis-server did not answer PING on port {Port} within {StartTimeout.TotalSeconds} s:{Environment.NewLine}{Output}");
            }

            await Task.Delay(20, cancellationToken);
        }
    }

    /// <summary>Kills the server (SIGKILL: an outage, not a clean shutdown) and waits until it is gone.</summary>
    public void Stop()
    {
        if (_process is not { } process)
        {
            return;
        }

        _process = null;
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            process.WaitForExit(10_000);
        }
        finally
        {
            process.Dispose();
        }
    }

    /// <summary>SIGSTOP: the server hangs, connections open, nothing answered (a frozen Redis, not a dead one).</summary>
    public void Freeze() => Signal("STOP");

    /// <summary>SIGCONT: the frozen server goes on where it stopped.</summary>
    public void Thaw() => Signal("CONT");

    private void Signal(string signal)
    {
        if (_process is not { HasExited: false } process)
        {
            throw new InvalidOperationException("redis-server is not running.");
        }

        using var kill = Process.Start(new ProcessStartInfo("kill", $"-{signal} {process.Id}") { UseShellExecute = false })!;
        kill.WaitForExit();
    }

    /// <summary>
    /// Sends one command on a connection of its own and returns the raw reply. Used for commands that make
    /// the server unresponsive (<c>DEBUG SLEEP</c>), which would stall a shared connection.
    /// </summary>
    public async Task<string> SendAsync(params string[] command)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Port);
        var stream = client.GetStream();
        var request = new StringBuilder().Append('*').Append(command.Length).Append("\r\n");
        foreach (var part in command)
        {
            request.Append('$').Append(Encoding.UTF8.GetByteCount(part)).Append("\r\n").Append(part).Append("\r\n");
        }

        await stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToString()));
        var buffer = new byte[4096];
        var read = await stream.ReadAsync(buffer);
        return Encoding.UTF8.GetString(buffer, 0, read);
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        if (IsRunning)
        {
            Thaw(); // a frozen server would outlive the kill's grace
        }

        Stop();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }

        return ValueTask.CompletedTask;
    }

    private async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(1));
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port, timeout.Token);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), timeout.Token);
            var buffer = new byte[64];
            var read = await stream.ReadAsync(buffer, timeout.Token);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception e) when ((e is SocketException or IOException or OperationCanceledException) && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private void AppendOutput(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }


    private static string? FindExecutable()
    {
        var directories = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/bin", "/usr/local/bin", "/usr/sbin"]);
        return directories.Select(directory => Path.Combine(directory, "redis-server")).FirstOrDefault(File.Exists);
    }
}
