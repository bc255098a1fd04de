using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

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

/// <summary>
/// A throwaway PostgreSQL (Debian's postgresql package) in a temporary directory on a free loopback port, run as
/// the postgres OS user when this runs as root; stopped and deleted on dispose. Same recipe as the tests' fixture.
/// </summary>
internal sealed class ThrowawayPostgres : IAsyncDisposable
{
    private readonly string _bin;
    private readonly string _directory;
    private readonly bool _asPostgresUser;

    private ThrowawayPostgres(string bin, string directory, int port, bool asPostgresUser)
    {
        _bin = bin;
        _directory = directory;
        Port = port;
        _asPostgresUser = asPostgresUser;
    }

    public int Port { get; }

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres";

    public static async Task<ThrowawayPostgres> StartAsync()
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(v => Path.Combine(v, "bin"))
                .Where(b => File.Exists(Path.Combine(b, "initdb"))).OrderByDescending(b => b, StringComparer.Ordinal).FirstOrDefault()
            : null;
        if (bin is null)
        {
            throw new InvalidOperationException("PostgreSQL was not found in /usr/lib/postgresql/*/bin: apt-get install -y postgresql (or pass --connection).");
        }

        var directory = Directory.CreateTempSubdirectory("edgeguard-bench-pg-").FullName;
        var asPostgresUser = Environment.UserName == "root";
        if (asPostgresUser)
        {
            await RunAsync("chown", ["postgres:postgres", directory]);
        }

        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var server = new ThrowawayPostgres(bin, directory, port, asPostgresUser);
        await server.PgAsync("initdb", ["-D", Path.Combine(directory, "data"), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"]);
        // A server tuned like a small read replica, not for durability (fsync off: a bench, not a database).
        var options = string.Join(' ', "-p", port.ToString(CultureInfo.InvariantCulture), "-k", directory, "-c", "listen_addresses=127.0.0.1",
            "-c", "fsync=off", "-c", "full_page_writes=off", "-c", "shared_buffers=512MB", "-c", "maintenance_work_mem=512MB", "-c", "max_wal_size=4GB");
        await server.PgAsync("pg_ctl", ["-D", Path.Combine(directory, "data"), "-l", Path.Combine(directory, "server.log"), "-w", "-t", "60", "-o", options, "start"]);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await PgAsync("pg_ctl", ["-D", Path.Combine(_directory, "data"), "-m", "immediate", "-w", "stop"]);
        }
        finally
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private Task PgAsync(string tool, string[] arguments) =>
        _asPostgresUser
            ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, tool), .. arguments])
            : RunAsync(Path.Combine(_bin, tool), arguments);

    private static async Task RunAsync(string executable, string[] arguments)
    {
        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetTempPath() };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{executable} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await output}{await error}");
        }
    }
}
