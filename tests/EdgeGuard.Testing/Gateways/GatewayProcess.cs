using System.Globalization;
using System.Net;

namespace EdgeGuard.Testing.Gateways;

/// <summary>
/// The real gateway as an operator runs it: <c>dotnet EdgeGuard.Proxy.dll</c> from the repository root (or a working
/// directory of the test's, where its relative paths such as the default snapshot location then lie), in a process of
/// its own, configured through environment variables. For what only a real process shows
/// (its exit code and console output at start-up, a kill, a SIGSTOP, several instances on one Redis).
/// </summary>
public sealed class GatewayProcess : ExternalProcess
{
    private readonly IReadOnlyDictionary<string, string?> _environment;
    private readonly HttpClient _probe;

    private readonly string _workingDirectory;

    private GatewayProcess(IDictionary<string, string?> environment, int port, string? workingDirectory, GatewayPlacement? placement)
    {
        Port = port;
        Placement = placement ?? GatewayPlacement.Loopback;
        _workingDirectory = workingDirectory ?? Repository.Root;
        _environment = new Dictionary<string, string?>(environment);
        _probe = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
    }

    public int Port { get; }

    /// <summary>Where it runs (loopback unless it was started elsewhere).</summary>
    public GatewayPlacement Placement { get; }

    public Uri BaseAddress => new($"http://{Placement.Address}:{Port.ToString(CultureInfo.InvariantCulture)}");

    public override string Name => Placement == GatewayPlacement.Loopback ? $"the gateway on port {Port}" : $"the gateway at {Placement.Address}:{Port}";

    /// <summary>The gateway built in the same configuration as these tests (test.sh builds the solution first).</summary>
    public static string GatewayDll
    {
        get
        {
            var dll = Path.Combine(Repository.Root, "src", "EdgeGuard.Proxy", "bin", Repository.Configuration, "net10.0", "EdgeGuard.Proxy.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException($"The gateway is not built at {dll}; build the solution first (test.sh does).", dll);
        }
    }

    /// <summary>Starts the gateway on a free loopback port with <paramref name="environment"/> (null values unset a variable); does not wait for it.</summary>
    /// <param name="workingDirectory">Where it runs (default: the repository root).</param>
    /// <param name="placement">Its address and launcher (default: loopback, started directly); a port must be given with another address.</param>
    public static GatewayProcess Start(IDictionary<string, string?> environment, int? port = null, string? workingDirectory = null, GatewayPlacement? placement = null)
    {
        var gateway = new GatewayProcess(environment, port ?? LoopbackPorts.Free(), workingDirectory, placement);
        gateway.Launch();
        return gateway;
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

    public HttpClient CreateClient() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

    protected override ProcessCommand Command()
    {
        string[] command = [.. Placement.Launcher, "dotnet", GatewayDll];
        return new ProcessCommand(command[0], command[1..])
        {
            WorkingDirectory = _workingDirectory,
            // Nothing of the test runner's own EdgeGuard settings: only what the test gives.
            RemoveInherited = name => name.StartsWith("EdgeGuard", StringComparison.OrdinalIgnoreCase) || name.StartsWith("ASPNETCORE_", StringComparison.Ordinal) ||
                name is "PRODUCTS_FILE" or "REDIS_URL" or "UPSTREAM_URL" or "EDGEGUARD_IDS_DB" or "EDGEGUARD_ADMIN_KEY" or "EDGEGUARD_FILTER_KEY"
                    or "EDGEGUARD_INSTANCE_ID" or "CATALOG_DB",
            Environment = new Dictionary<string, string?>
            {
                ["ASPNETCORE_URLS"] = BaseAddress.ToString().TrimEnd('/'),
                ["DOTNET_NOLOGO"] = "1",
                ["Logging__Console__FormatterName"] = "simple",
            }.Concat(_environment).GroupBy(pair => pair.Key).ToDictionary(group => group.Key, group => group.Last().Value),
        };
    }

    /// <summary>Ready when <c>/health/ready</c> answers 200.</summary>
    protected override async Task<bool> IsReadyAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _probe.GetAsync("/health/ready", cancellationToken);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (Exception e) when ((e is HttpRequestException or TaskCanceledException) && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    protected override ValueTask CleanUpAsync()
    {
        _probe.Dispose();
        return ValueTask.CompletedTask;
    }
}
