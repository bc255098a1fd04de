using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Npgsql;

using EdgeGuard.Proxy.Tests.Infrastructure;

namespace EdgeGuard.Proxy.Tests.Sql;

/// <summary>
/// A real, throwaway PostgreSQL server (Debian's <c>postgresql</c> package: <c>initdb</c> and <c>pg_ctl</c> from
/// <c>/usr/lib/postgresql/N/bin</c>) on a free loopback port, its data and socket in a temporary directory owned
/// by the <c>postgres</c> OS user (the tests run as root, and PostgreSQL refuses to). It can be stopped and started
/// again in the middle of a test on the same port and data directory (an outage), and is stopped and deleted on
/// dispose. A missing PostgreSQL fails the tests with a message saying how to install it: never skipped.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    private readonly string _bin;
    private readonly bool _asPostgresUser;

    private PostgresServer(string bin, string directory, int port, bool asPostgresUser)
    {
        _bin = bin;
        Directory = directory;
        Port = port;
        _asPostgresUser = asPostgresUser;
    }

    public int Port { get; }

    /// <summary>The temporary directory: <c>data/</c>, the server log and the Unix socket.</summary>
    public string Directory { get; }

    private string DataDirectory => Path.Combine(Directory, "data");

    private string LogFile => Path.Combine(Directory, "server.log");

    public bool IsRunning { get; private set; }

    /// <summary>A superuser connection string over TCP to <paramref name="database"/> (no pooling: tests come and go).</summary>
    public string AdminConnectionString(string database = "postgres") =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Pooling=false;Timeout=5";

    /// <summary>The same over the Unix socket, which still works when the server listens on no TCP address.</summary>
    public string SocketConnectionString(string database = "postgres") =>
        $"Host={Directory};Port={Port};Username=postgres;Database={database};Pooling=false;Timeout=5";

    /// <summary>A connection string for <paramref name="user"/> over TCP, as the gateway would be given.</summary>
    public string ConnectionString(string database, string user) =>
        $"Host=127.0.0.1;Port={Port};Username={user};Database={database};Timeout=3";

    /// <summary>Creates a cluster in a new temporary directory and starts it on a free loopback port.</summary>
    public static async Task<PostgresServer> StartAsync()
    {
        var bin = FindBinDirectory() ?? throw new InvalidOperationException(
            "PostgreSQL server binaries (initdb, pg_ctl) were not found in /usr/lib/postgresql/*/bin. The SQL id source " +
            "tests need a real PostgreSQL: install it with `apt-get install -y postgresql` (test.sh does this).");
        var asPostgresUser = Environment.UserName == "root";
        var directory = System.IO.Directory.CreateTempSubdirectory("edgeguard-pg-").FullName;
        if (asPostgresUser)
        {
            await RunAsync("chown", ["postgres:postgres", directory]);
        }

        // Another process may take the free port between the probe and the server's bind: try a few ports.
        for (var attempt = 1; ; attempt++)
        {
            var server = new PostgresServer(bin, directory, LoopbackPorts.Free(), asPostgresUser);
            try
            {
                if (attempt == 1)
                {
                    await server.PgAsync("initdb", ["-D", server.DataDirectory, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"]);
                }

                await server.StartAsync();
                return server;
            }
            catch (Exception) when (attempt < 3)
            {
            }
        }
    }

    /// <summary>Starts (again) on the same port and data directory, waiting until it accepts connections.</summary>
    /// <param name="listenOnTcp">False: only the Unix socket (the test can still write; a TCP client, the gateway, cannot connect).</param>
    public async Task StartAsync(bool listenOnTcp = true)
    {
        if (IsRunning)
        {
            throw new InvalidOperationException($"PostgreSQL is already running on port {Port}.");
        }

        var options = string.Join(' ',
            "-p", Port.ToString(CultureInfo.InvariantCulture),
            "-k", Directory,
            "-c", listenOnTcp ? "listen_addresses=127.0.0.1" : "listen_addresses=''",
            // fsync off: nothing waits for the disk, yet a commit is written (to the OS) before it returns, so an
            // immediate stop (a crash) loses no committed row.
            "-c", "fsync=off", "-c", "full_page_writes=off",
            "-c", "max_connections=60", "-c", "shared_buffers=64MB");
        await PgAsync("pg_ctl", ["-D", DataDirectory, "-l", LogFile, "-w", "-t", "60", "-o", options, "start"]);
        IsRunning = true;
    }

    /// <summary>Stops the server at once (immediate mode: an outage, not a clean shutdown) and waits until it is gone.</summary>
    public async Task StopAsync()
    {
        if (!IsRunning)
        {
            return;
        }

        await PgAsync("pg_ctl", ["-D", DataDirectory, "-m", "immediate", "-w", "-t", "60", "stop"]);
        IsRunning = false;
        NpgsqlConnection.ClearAllPools();
    }

    /// <summary>Runs <paramref name="sql"/> as the superuser in <paramref name="database"/>.</summary>
    public async Task ExecuteAsync(string sql, string database = "postgres", bool overSocket = false)
    {
        await using var connection = new NpgsqlConnection(overSocket ? SocketConnectionString(database) : AdminConnectionString(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 120 };
        await command.ExecuteNonQueryAsync();
    }

    public async Task<T> ScalarAsync<T>(string sql, string database = "postgres")
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public string ServerLog => File.Exists(LogFile) ? File.ReadAllText(LogFile) : "";

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        catch (Exception)
        {
            // Best effort; the directory goes anyway.
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private Task PgAsync(string tool, IReadOnlyList<string> arguments)
    {
        var executable = Path.Combine(_bin, tool);
        return _asPostgresUser
            ? RunAsync("runuser", ["-u", "postgres", "--", executable, .. arguments])
            : RunAsync(executable, arguments);
    }

    private static async Task RunAsync(string executable, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {executable}.");
        var output = new StringBuilder();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(CommandTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{executable} {string.Join(' ', arguments)} did not finish within {CommandTimeout.TotalSeconds} s.");
        }

        output.Append(await stdout).Append(await stderr);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{executable} {string.Join(' ', arguments)} exited with code {process.ExitCode}:{Environment.NewLine}{output}");
        }
    }

    /// <summary>The newest <c>/usr/lib/postgresql/N/bin</c> that has initdb and pg_ctl.</summary>
    private static string? FindBinDirectory()
    {
        const string root = "/usr/lib/postgresql";
        if (!System.IO.Directory.Exists(root))
        {
            return null;
        }

        return System.IO.Directory.GetDirectories(root)
            .Select(version => (Version: int.TryParse(Path.GetFileName(version), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : -1,
                Bin: Path.Combine(version, "bin")))
            .Where(candidate => File.Exists(Path.Combine(candidate.Bin, "initdb")) && File.Exists(Path.Combine(candidate.Bin, "pg_ctl")))
            .OrderByDescending(candidate => candidate.Version)
            .Select(candidate => candidate.Bin)
            .FirstOrDefault();
    }

}
