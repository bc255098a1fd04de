using System.Globalization;
using StackExchange.Redis;

namespace EdgeGuard.Testing.Redis;

/// <summary>
/// A real <c>redis-server</c> on a free loopback port, with no persistence, in its own temporary directory.
/// It can be killed and started again on the same port in the middle of a test (a cache outage), frozen and
/// thawed, and is killed on dispose. A missing <c>redis-server</c> fails the test with how to install it.
/// </summary>
public sealed class RedisServer : ServerProcess
{
    private readonly string _executable;
    private readonly IReadOnlyList<string> _extraArguments;

    /// <summary>A server whose working directory (its cluster configuration, when it has one) is its own.</summary>
    private RedisServer(string executable, int port, IReadOnlyList<string> extraArguments) : base(port, NewDirectory("edgeguard-redis-"))
    {
        _executable = executable;
        _extraArguments = extraArguments;
    }

    /// <summary>The gateway's <c>REDIS_URL</c> for this server.</summary>
    public string Url => $"redis://127.0.0.1:{Port}";

    public override string Name => $"redis-server on port {Port}";

    protected override TimeSpan StartTimeout => TimeSpan.FromSeconds(15);

    /// <summary>Starts a server on a free port and waits until it answers PING.</summary>
    /// <param name="extraArguments">More <c>redis-server</c> options (<c>--replicaof host port</c>, <c>--cluster-enabled yes</c>).</param>
    public static async Task<RedisServer> StartAsync(IReadOnlyList<string>? extraArguments = null)
    {
        var executable = RequiredExecutable.Find("redis-server", "redis-server");

        // Another process may take the free port between the probe and redis-server's bind: try a few ports.
        for (var attempt = 1; ; attempt++)
        {
            var server = new RedisServer(executable, LoopbackPorts.Free(), extraArguments ?? []);
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

    /// <summary>Sends one command on a connection of its own and returns the raw reply (see <see cref="RedisWire"/>).</summary>
    public Task<string> SendAsync(params string[] command) => RedisWire.SendAsync(Port, command);

    /// <summary>A client connection of the test's own, allowed admin commands (<c>INFO commandstats</c>, see <see cref="CommandStats"/>).</summary>
    public Task<ConnectionMultiplexer> ConnectAdminAsync() => ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{Port},allowAdmin=true");

    protected override ProcessCommand Command() => new(_executable,
    [
        "--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
        "--dir", Directory, "--daemonize", "no", "--protected-mode", "yes", "--enable-debug-command", "local",
        .. _extraArguments,
    ])
    {
        WorkingDirectory = Directory,
    };

    protected override Task<bool> IsReadyAsync(CancellationToken cancellationToken) => RedisWire.PingAsync(Port, cancellationToken);
}
