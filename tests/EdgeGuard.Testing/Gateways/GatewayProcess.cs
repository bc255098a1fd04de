namespace EdgeGuard.Testing.Gateways;

/// <summary>
/// The real gateway as an operator runs it: <c>dotnet EdgeGuard.Proxy.dll</c> from the repository root (or a working
/// directory of the test's, where its relative paths such as the default snapshot location then lie), in a process of
/// its own, configured through environment variables. For what only a real process shows
/// (its exit code and console output at start-up, a kill, a SIGSTOP, several instances on one Redis).
/// <see cref="GatewayBuilder.AsProcess"/> starts one.
/// </summary>
public sealed class GatewayProcess : HttpServerProcess
{
    private readonly IReadOnlyDictionary<string, string?> _environment;
    private readonly string _workingDirectory;
    private HttpClient? _client;

    /// <param name="files">The gateway's own directory (<see cref="ServerProcess.Directory"/>), deleted with it.</param>
    private GatewayProcess(IDictionary<string, string?> environment, GatewayFiles files, int port, string? workingDirectory, GatewayPlacement placement)
        : base(port, files.Directory, placement.Address)
    {
        Placement = placement;
        _workingDirectory = workingDirectory ?? Repository.Root;
        _environment = new Dictionary<string, string?>(environment);
    }

    /// <summary>Where it runs (loopback unless it was started elsewhere).</summary>
    public GatewayPlacement Placement { get; }

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

    /// <summary>Starts the gateway with <paramref name="environment"/>; does not wait for it. It owns <paramref name="files"/>.</summary>
    /// <param name="workingDirectory">Where it runs (default: the repository root).</param>
    /// <param name="placement">Its address and launcher.</param>
    /// <param name="port">Its port (default: a free loopback port; one must be given with another address).</param>
    internal static GatewayProcess Start(IDictionary<string, string?> environment, GatewayFiles files, string? workingDirectory, GatewayPlacement placement, int? port)
    {
        var gateway = new GatewayProcess(environment, files, port ?? LoopbackPorts.Free(), workingDirectory, placement);
        try
        {
            gateway.Launch();
            return gateway;
        }
        catch
        {
            files.Dispose();
            throw;
        }
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

    /// <summary>A client of the gateway's own, disposed with it.</summary>
    public HttpClient Client => _client ??= CreateClient();

    public HttpClient CreateClient() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary><c>dotnet</c> with the gateway, through the placement's launcher if it has one.</summary>
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
                ["ASPNETCORE_URLS"] = Url,
                ["DOTNET_NOLOGO"] = "1",
                ["Logging__Console__FormatterName"] = "simple",
            }.Concat(_environment).GroupBy(pair => pair.Key).ToDictionary(group => group.Key, group => group.Last().Value),
        };
    }

    /// <summary>Ready when the filter has loaded.</summary>
    protected override string HealthPath => "/health/ready";

    protected override ValueTask CleanUpAsync()
    {
        _client?.Dispose();
        return base.CleanUpAsync();
    }
}
