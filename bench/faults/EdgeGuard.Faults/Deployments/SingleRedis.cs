using System.Net;
using EdgeGuard.Faults.Network;
using EdgeGuard.Testing.Redis;

namespace EdgeGuard.Faults.Deployments;

/// <summary>One real redis-server on loopback, which the gateways reach through a faultable link.</summary>
public sealed class SingleRedis(RedisServer server, IServiceLink link) : IRedisService
{
    private const string LeaseKey = "{edgeguard}:lease:leader";

    public RedisServer Server => server;

    public IServiceLink Link => link;

    public string Description => $"redis-server on 127.0.0.1:{server.Port}";

    public static async Task<SingleRedis> StartAsync(IGatewayNetwork network)
    {
        var server = await RedisServer.StartAsync();
        return new SingleRedis(server, network.Link(new IPEndPoint(IPAddress.Loopback, server.Port)));
    }

    public bool OnLoopback => false;

    public string UrlFor(int instance) => $"redis://{link.AddressFor(instance)}";

    public async Task<string?> LeaderAsync()
    {
        try
        {
            // A bulk string: "$4\r\ngw-1\r\n", or "$-1\r\n" when nobody holds the lease.
            var reply = await server.SendAsync("GET", LeaseKey);
            var lines = reply.Split("\r\n");
            return reply.StartsWith('$') && !reply.StartsWith("$-1", StringComparison.Ordinal) && lines.Length > 1 ? lines[1] : null;
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
        {
            return null;
        }
    }

    public IEnumerable<(string Name, string Output)> Outputs() => [("redis", server.Output)];

    public void Kill() => server.Kill();

    public async ValueTask DisposeAsync()
    {
        await link.DisposeAsync();
        await server.DisposeAsync();
    }
}
