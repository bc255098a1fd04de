using System.Globalization;

namespace EdgeGuard.Testing.Redis;

/// <summary>
/// A real Redis Sentinel (Debian's <c>redis-sentinel</c>, or <c>redis-server --sentinel</c> where only the server is
/// installed) on a free loopback port, monitoring one primary, with its configuration file (which Sentinel rewrites
/// as it learns) in a temporary directory. Killed and deleted on dispose.
/// </summary>
public sealed class SentinelServer : ExternalProcess
{
    private readonly string _executable;
    private readonly bool _needsSentinelFlag;

    private SentinelServer(string executable, bool needsSentinelFlag, int port)
    {
        _executable = executable;
        _needsSentinelFlag = needsSentinelFlag;
        Port = port;
        Directory = System.IO.Directory.CreateTempSubdirectory("edgeguard-sentinel-").FullName;
    }

    public int Port { get; }

    public string Directory { get; }

    private string ConfigFile => Path.Combine(Directory, "sentinel.conf");

    public override string Name => $"redis-sentinel on port {Port}";

    protected override TimeSpan StartTimeout => TimeSpan.FromSeconds(15);

    /// <summary>Starts a Sentinel that monitors <paramref name="serviceName"/> at 127.0.0.1:<paramref name="primaryPort"/>.</summary>
    public static async Task<SentinelServer> StartAsync(string serviceName, int primaryPort, SentinelTimings timings)
    {
        var sentinel = RequiredExecutable.TryFind("redis-sentinel");
        var executable = sentinel ?? RequiredExecutable.Find("redis-server", "redis-sentinel");
        for (var attempt = 1; ; attempt++)
        {
            var server = new SentinelServer(executable, sentinel is null, LoopbackPorts.Free());
            await File.WriteAllLinesAsync(server.ConfigFile,
            [
                $"port {server.Port.ToString(CultureInfo.InvariantCulture)}",
                "bind 127.0.0.1",
                "daemonize no",
                $"dir {server.Directory}",
                $"sentinel monitor {serviceName} 127.0.0.1 {primaryPort.ToString(CultureInfo.InvariantCulture)} {timings.Quorum.ToString(CultureInfo.InvariantCulture)}",
                $"sentinel down-after-milliseconds {serviceName} {Milliseconds(timings.DownAfter)}",
                $"sentinel failover-timeout {serviceName} {Milliseconds(timings.FailoverTimeout)}",
                $"sentinel parallel-syncs {serviceName} 1",
            ]);
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

    protected override ProcessCommand Command() =>
        new(_executable, _needsSentinelFlag ? [ConfigFile, "--sentinel"] : [ConfigFile]) { WorkingDirectory = Directory };

    protected override Task<bool> IsReadyAsync(CancellationToken cancellationToken) => RedisWire.PingAsync(Port, cancellationToken);

    protected override ValueTask CleanUpAsync()
    {
        TemporaryDirectory.Delete(Directory);
        return ValueTask.CompletedTask;
    }

    private static string Milliseconds(TimeSpan time) => ((long)time.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// How fast Sentinels act: a primary is down after <see cref="DownAfter"/> without an answer, agreed by <see cref="Quorum"/>
/// of them. Two seconds by default: a loaded two-core machine can keep a healthy primary from answering for one.
/// </summary>
public sealed record SentinelTimings
{
    public TimeSpan DownAfter { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan FailoverTimeout { get; init; } = TimeSpan.FromSeconds(3);

    public int Quorum { get; init; } = 2;
}
