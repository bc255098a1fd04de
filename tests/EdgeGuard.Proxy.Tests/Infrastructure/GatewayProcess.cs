using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EdgeGuard.Proxy.Tests.Infrastructure;

/// <summary>
/// The real gateway as an operator runs it: <c>dotnet EdgeGuard.Proxy.dll</c> from the repository root, in
/// a process of its own, configured through environment variables. For what only a real process shows
/// (its exit code and console output at start-up, a kill, a SIGSTOP, several instances on one Redis).
/// </summary>
public sealed class GatewayProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private GatewayProcess(Process process, int port)
    {
        _process = process;
        Port = port;
        _process.OutputDataReceived += (_, e) => Append(_stdout, e.Data);
        _process.ErrorDataReceived += (_, e) => Append(_stderr, e.Data);
    }

    public int Port { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    public string StandardOutput => Read(_stdout);

    public string StandardError => Read(_stderr);

    /// <summary>The repository root (where EdgeGuard.sln is), found from the test binaries upwards.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>The gateway built in the same configuration as these tests (test.sh builds the solution first).</summary>
    public static string GatewayDll
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
            var dll = Path.Combine(RepositoryRoot, "src", "EdgeGuard.Proxy", "bin", configuration, "net10.0", "EdgeGuard.Proxy.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException($"The gateway is not built at {dll}; build the solution first (test.sh does).", dll);
        }
    }

    /// <summary>Starts the gateway on a free loopback port with <paramref name="environment"/> (null values unset a variable).</summary>
    public static GatewayProcess Start(IDictionary<string, string?> environment, int? port = null)
    {
        var chosenPort = port ?? LoopbackPorts.Free();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(GatewayDll);

        // Nothing of the test runner's own EdgeGuard settings: only what the test gives.
        foreach (var name in start.Environment.Keys.ToList())
        {
            if (name.StartsWith("EdgeGuard", StringComparison.OrdinalIgnoreCase) || name.StartsWith("ASPNETCORE_", StringComparison.Ordinal) ||
                name is "PRODUCTS_FILE" or "REDIS_URL" or "UPSTREAM_URL" or "EDGEGUARD_IDS_DB" or "EDGEGUARD_ADMIN_KEY" or "EDGEGUARD_FILTER_KEY"
                    or "EDGEGUARD_INSTANCE_ID" or "CATALOG_DB")
            {
                start.Environment.Remove(name);
            }
        }

        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{chosenPort}";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        foreach (var (key, value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(key);
            }
            else
            {
                start.Environment[key] = value;
            }
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var gateway = new GatewayProcess(process, chosenPort);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return gateway;
    }

    /// <summary>Waits for the process to exit on its own; its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The gateway did not exit within {timeout.TotalSeconds} s.{Environment.NewLine}stdout:{Environment.NewLine}{StandardOutput}{Environment.NewLine}stderr:{Environment.NewLine}{StandardError}");
        }

        _process.WaitForExit(); // flushes the redirected output
        return _process.ExitCode;
    }

    /// <summary>Runs the gateway until it exits by itself (it should refuse to start); its exit code and output.</summary>
    public static async Task<(int ExitCode, string StandardOutput, string StandardError)> RunUntilExitAsync(IDictionary<string, string?> environment, TimeSpan timeout)
    {
        var withDefaults = new Dictionary<string, string?>(environment);
        withDefaults.TryAdd("UPSTREAM_URL", "http://127.0.0.1:9");
        await using var gateway = Start(withDefaults);
        var exitCode = await gateway.WaitForExitAsync(timeout);
        return (exitCode, gateway.StandardOutput, gateway.StandardError);
    }

    /// <summary>A refusal as an operator should see it: exit code 2, the setting named on stderr, no stack trace anywhere.</summary>
    public static void AssertRefused((int ExitCode, string StandardOutput, string StandardError) outcome, string setting)
    {
        var shown = $"exit code {outcome.ExitCode}{Environment.NewLine}stderr:{Environment.NewLine}{outcome.StandardError}{Environment.NewLine}stdout:{Environment.NewLine}{outcome.StandardOutput}";
        Assert.True(outcome.ExitCode == 2, shown);
        Assert.True(outcome.StandardError.Contains(setting, StringComparison.Ordinal), $"stderr does not name {setting}: {shown}");
        Assert.True(outcome.StandardError.StartsWith("EdgeGuard cannot start, the configuration is invalid:", StringComparison.Ordinal), shown);
        Assert.False(outcome.StandardError.Contains("Unhandled exception", StringComparison.Ordinal), shown);
        Assert.False(outcome.StandardError.Contains("   at ", StringComparison.Ordinal) || outcome.StandardOutput.Contains("   at ", StringComparison.Ordinal),
            $"a stack trace was printed: {shown}");
    }

    /// <summary>Polls <c>/health/ready</c> until it answers 200.</summary>
    public async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The gateway exited with {_process.ExitCode} while starting:{Environment.NewLine}{StandardOutput}{Environment.NewLine}{StandardError}");
            }

            try
            {
                using var response = await client.GetAsync("/health/ready");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }

            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"The gateway was not ready within {timeout.TotalSeconds} s:{Environment.NewLine}{StandardOutput}{Environment.NewLine}{StandardError}");
            }

            await Task.Delay(50);
        }
    }

    public HttpClient CreateClient() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>SIGKILL: the instance dies without a word to anyone.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
    }

    /// <summary>SIGSTOP / SIGCONT: the instance hangs (it neither dies nor answers), then goes on.</summary>
    public void Freeze() => Signal("STOP");

    public void Thaw() => Signal("CONT");

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                Signal("CONT");
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException)
        {
        }

        _process.Dispose();
    }

    private void Signal(string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", $"-{signal} {_process.Id}") { UseShellExecute = false })!;
        kill.WaitForExit();
    }


    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "EdgeGuard.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"EdgeGuard.sln was not found above {AppContext.BaseDirectory}.");
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Read(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
