using System.Globalization;
using Npgsql;

namespace EdgeGuard.Testing.Postgres;

/// <summary>
/// A real, throwaway PostgreSQL server (Debian's <c>postgresql</c> package: <c>initdb</c> and <c>postgres</c> from
/// <c>/usr/lib/postgresql/N/bin</c>) on a free loopback port, its data and socket in a temporary directory owned by
/// the <c>postgres</c> OS user (the tests run as root, and PostgreSQL refuses to). It can be stopped and started
/// again in the middle of a test on the same port and data directory (an outage), and is killed and deleted on
/// dispose. A missing PostgreSQL fails with how to install it: never skipped.
/// </summary>
public sealed class PostgresServer : ServerProcess
{
    /// <summary>
    /// The server's settings unless the caller gives others. fsync off: nothing waits for the disk, yet a commit is
    /// written (to the OS) before it returns, so an immediate stop (a crash) loses no committed row.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> DefaultSettings = new Dictionary<string, string>
    {
        ["fsync"] = "off",
        ["full_page_writes"] = "off",
        ["max_connections"] = "60",
        ["shared_buffers"] = "64MB",
    };

    private static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(60);

    private readonly string _bin;
    private readonly string? _userName;
    private readonly IReadOnlyDictionary<string, string> _settings;
    private bool _listenOnTcp = true;

    /// <param name="directory">The temporary directory: <c>data/</c> and the Unix socket.</param>
    private PostgresServer(string bin, string directory, int port, string? userName, IReadOnlyDictionary<string, string> settings) : base(port, directory)
    {
        _bin = bin;
        _userName = userName;
        _settings = settings;
    }

    public override string Name => $"PostgreSQL on port {Port}";

    protected override TimeSpan StartTimeout => TimeSpan.FromSeconds(60);

    /// <summary>SIGQUIT: PostgreSQL's immediate shutdown (an outage, not a clean shutdown).</summary>
    protected override int StopSignal => Signals.Quit;

    private string DataDirectory => Path.Combine(Directory, "data");

    /// <summary>What the server logged (it logs to stderr, captured here).</summary>
    public string ServerLog => Output;

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
    /// <param name="settings">Server settings (<c>-c name=value</c>) instead of <see cref="DefaultSettings"/>.</param>
    public static async Task<PostgresServer> StartAsync(IReadOnlyDictionary<string, string>? settings = null)
    {
        var bin = FindBinDirectory() ?? throw new InvalidOperationException(
            "PostgreSQL server binaries (initdb, postgres) were not found in /usr/lib/postgresql/*/bin. Install them with " +
            "`apt-get install -y postgresql` (./test.sh installs it when it is missing).");
        var userName = Environment.UserName == "root" ? "postgres" : null;
        var directory = NewDirectory("edgeguard-pg-");
        if (userName is not null)
        {
            await CommandLine.RunCheckedAsync(new ProcessCommand("chown", [$"{userName}:{userName}", directory]));
        }

        // Another process may take the free port between the probe and the server's bind: try a few ports.
        for (var attempt = 1; ; attempt++)
        {
            var server = new PostgresServer(bin, directory, LoopbackPorts.Free(), userName, settings ?? DefaultSettings);
            try
            {
                if (attempt == 1)
                {
                    await CommandLine.RunCheckedAsync(server.Tool("initdb",
                        ["-D", server.DataDirectory, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"]));
                }

                await server.StartAsync();
                return server;
            }
            catch (Exception) when (attempt < 3)
            {
                server.Kill();
            }
        }
    }

    /// <summary>Starts (again) on the same port and data directory, waiting until it accepts connections.</summary>
    /// <param name="listenOnTcp">False: only the Unix socket (the test can still write; a TCP client, the gateway, cannot connect).</param>
    public Task StartAsync(bool listenOnTcp = true)
    {
        _listenOnTcp = listenOnTcp;
        return base.StartAsync();
    }

    /// <summary>Stops the server at once (immediate shutdown: an outage) and waits until it is gone.</summary>
    public async Task StopAsync()
    {
        await StopAsync(ShutdownGrace);
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

    protected override ProcessCommand Command() => Tool("postgres",
    [
        "-D", DataDirectory,
        "-p", Port.ToString(CultureInfo.InvariantCulture),
        "-k", Directory,
        "-c", _listenOnTcp ? "listen_addresses=127.0.0.1" : "listen_addresses=",
        .. _settings.SelectMany(setting => new[] { "-c", $"{setting.Key}={setting.Value}" }),
    ]);

    protected override async Task<bool> IsReadyAsync(CancellationToken cancellationToken)
    {
        try
        {
            var probe = new NpgsqlConnectionStringBuilder(SocketConnectionString()) { Timeout = 1 };
            await using var connection = new NpgsqlConnection(probe.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            return true;
        }
        catch (Exception e) when ((e is NpgsqlException or IOException or TimeoutException) && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    protected override ValueTask CleanUpAsync()
    {
        NpgsqlConnection.ClearAllPools();
        return base.CleanUpAsync();
    }

    private ProcessCommand Tool(string tool, IReadOnlyList<string> arguments) =>
        new(Path.Combine(_bin, tool), arguments) { UserName = _userName, WorkingDirectory = Directory };

    /// <summary>The newest <c>/usr/lib/postgresql/N/bin</c> that has initdb and postgres.</summary>
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
            .Where(candidate => File.Exists(Path.Combine(candidate.Bin, "initdb")) && File.Exists(Path.Combine(candidate.Bin, "postgres")))
            .OrderByDescending(candidate => candidate.Version)
            .Select(candidate => candidate.Bin)
            .FirstOrDefault();
    }
}
