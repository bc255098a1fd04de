using System.Diagnostics;

namespace EdgeGuard.Proxy.Tests.Sql;

/// <summary>
/// The real gateway as an operator runs it (<c>dotnet src/EdgeGuard.Proxy/bin/&lt;configuration&gt;/net10.0/EdgeGuard.Proxy.dll</c>,
/// built with the tests), for what only a process shows: its exit code and what it writes to stderr and stdout.
/// </summary>
public static class GatewayProcess
{
    public sealed record Outcome(int ExitCode, string StandardOutput, string StandardError);

    /// <summary>Runs the gateway from the repository root with <paramref name="environment"/> until it exits (or fails the test after <paramref name="timeout"/>).</summary>
    public static async Task<Outcome> RunUntilExitAsync(IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        var root = RepositoryRoot();
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        var dll = Path.Combine(root, "src", "EdgeGuard.Proxy", "bin", configuration, "net10.0", "EdgeGuard.Proxy.dll");
        Assert.True(File.Exists(dll), $"The gateway is not built at {dll}.");

        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);

        // Nothing of the test runner's own EdgeGuard settings: only what the test gives.
        foreach (var name in start.Environment.Keys.ToList())
        {
            if (name.StartsWith("EdgeGuard", StringComparison.OrdinalIgnoreCase) || name.StartsWith("ASPNETCORE_", StringComparison.Ordinal) ||
                name is "PRODUCTS_FILE" or "REDIS_URL" or "UPSTREAM_URL" or "EDGEGUARD_IDS_DB" or "EDGEGUARD_ADMIN_KEY" or "CATALOG_DB")
            {
                start.Environment.Remove(name);
            }
        }

        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        start.Environment["UPSTREAM_URL"] = "http://127.0.0.1:9";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Assert.Fail($"The gateway was still running after {timeout.TotalSeconds} s (it should have refused to start).{Environment.NewLine}" +
                        $"stdout:{Environment.NewLine}{await stdout}{Environment.NewLine}stderr:{Environment.NewLine}{await stderr}");
        }

        return new Outcome(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Asserts a refusal as an operator should see it: exit code 2, the setting named on stderr, no stack trace anywhere.</summary>
    public static void AssertRefused(Outcome outcome, string setting)
    {
        var shown = $"exit code {outcome.ExitCode}{Environment.NewLine}stderr:{Environment.NewLine}{outcome.StandardError}{Environment.NewLine}stdout:{Environment.NewLine}{outcome.StandardOutput}";
        Assert.True(outcome.ExitCode == 2, shown);
        Assert.True(outcome.StandardError.Contains(setting, StringComparison.Ordinal), $"stderr does not name {setting}: {shown}");
        Assert.True(outcome.StandardError.StartsWith("EdgeGuard cannot start, the configuration is invalid:", StringComparison.Ordinal), shown);
        Assert.False(outcome.StandardError.Contains("   at ", StringComparison.Ordinal) || outcome.StandardOutput.Contains("   at ", StringComparison.Ordinal),
            $"a stack trace was printed: {shown}");
    }

    private static string RepositoryRoot()
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

    /// <summary>Settings of a gateway whose only source is the database (no products file, no catalog listing).</summary>
    public static Dictionary<string, string> SqlOnly(string provider, string connectionString, string query, string? incrementalQuery = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["PRODUCTS_FILE"] = "",
            ["EdgeGuard__Bloom__LoadFromCatalog"] = "false",
            ["EdgeGuard__Bloom__Sql__Provider"] = provider,
            ["EDGEGUARD_IDS_DB"] = connectionString,
            ["EdgeGuard__Bloom__Sql__Query"] = query,
        };
        if (incrementalQuery is not null)
        {
            environment["EdgeGuard__Bloom__Sql__IncrementalQuery"] = incrementalQuery;
        }

        return environment;
    }
}
