using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using EdgeGuard.Testing.Faults;
using EdgeGuard.Testing.Redis;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace EdgeGuard.Testing.Tests.Faults;

/// <summary>
/// Each mode of the fault proxy between a test client and a target the test drives (and, once, a real redis-server and its
/// client). Nothing here sleeps to
/// synchronise: a test waits on the proxy's counters ("the bytes are held") and then checks what arrived.
/// </summary>
public sealed class FaultProxyTests
{
    [Fact]
    public async Task Pass_forwards_both_ways_and_counts_the_bytes()
    {
        await using var link = await Link.OpenAsync();
        var (_, proxy, client, server) = link;

        await client.SendAsync("ping");
        Assert.Equal("ping", await server.ReceiveAsync(4));
        await server.SendAsync("pong!");
        Assert.Equal("pong!", await client.ReceiveAsync(5));

        var counters = await proxy.WaitUntilAsync(c => c.Downstream.Forwarded == 5, "the answer forwarded");
        Assert.Equal(new DirectionCounters(4, 0), counters.Upstream);
        Assert.Equal(new DirectionCounters(5, 0), counters.Downstream);
        Assert.Equal((1L, 1L, 0L), (counters.Accepted, counters.Open, counters.Reset));
    }

    [Fact]
    public async Task Hold_keeps_every_byte_both_ways_with_the_connections_open_and_heal_delivers_them_in_order()
    {
        await using var link = await Link.OpenAsync();
        var (_, proxy, client, server) = link;
        await client.SendAsync("a");
        Assert.Equal("a", await server.ReceiveAsync(1));

        await proxy.HoldAsync();
        await client.SendAsync("hello");
        await server.SendAsync("world!");
        await client.SendAsync(" again");
        var held = await proxy.WaitForHeldBytesAsync(5 + 6 + 6);

        Assert.Equal(new DirectionCounters(1, 11), held.Upstream);
        Assert.Equal(new DirectionCounters(0, 6), held.Downstream);
        Assert.Equal(0, client.Available);
        Assert.Equal(0, server.Available);
        Assert.True(client.Connected && server.Connected);

        await proxy.HealAsync();
        Assert.Equal("hello again", await server.ReceiveAsync(11));
        Assert.Equal("world!", await client.ReceiveAsync(6));
        await client.SendAsync("after");
        Assert.Equal("after", await server.ReceiveAsync(5));
        await proxy.WaitUntilAsync(c => c.BytesHeld == 0 && c.BytesForwarded == 1 + 11 + 6 + 5, "every byte counted as forwarded");
    }

    [Fact]
    public async Task A_connection_made_during_a_hold_is_accepted_but_reaches_the_target_only_after_the_heal()
    {
        await using var target = new TcpTarget();
        await using var proxy = FaultProxy.Start(target.EndPoint);
        await proxy.HoldAsync();

        using var client = await SocketText.ConnectAsync(proxy.Port); // accepted: a partition refuses nothing
        await client.SendAsync("GET");
        await proxy.WaitForHeldBytesAsync(3);
        Assert.Equal(0, target.Accepted);

        await proxy.HealAsync();
        using var server = await target.NextAsync();
        Assert.Equal("GET", await server.ReceiveAsync(3));
    }

    [Fact]
    public async Task Heal_that_drops_held_bytes_resets_the_connections_that_had_some_and_keeps_the_others()
    {
        await using var target = new TcpTarget();
        await using var proxy = FaultProxy.Start(target.EndPoint);
        using var holding = await SocketText.ConnectAsync(proxy.Port);
        using var holdingServer = await target.NextAsync();
        using var idle = await SocketText.ConnectAsync(proxy.Port);
        using var idleServer = await target.NextAsync();

        await proxy.HoldAsync();
        await holding.SendAsync("lost");
        await proxy.WaitForHeldBytesAsync(4);
        await proxy.HealAsync(HeldBytes.Drop);

        Assert.Equal(SocketError.ConnectionReset, await holding.ReceiveEndAsync());
        Assert.Equal(SocketError.ConnectionReset, await holdingServer.ReceiveEndAsync());
        Assert.Equal(0, holdingServer.Available);
        await idle.SendAsync("still here");
        Assert.Equal("still here", await idleServer.ReceiveAsync(10));
        // "still here" went through, "lost" never did.
        var counters = await proxy.WaitUntilAsync(c => c.Upstream.Forwarded == 10, "\"still here\" counted");
        Assert.Equal((1L, 0L), (counters.Reset, counters.BytesHeld));
    }

    [Fact]
    public async Task Delay_delivers_each_chunk_its_latency_after_it_came_and_not_a_tick_sooner()
    {
        var time = new FakeTimeProvider();
        await using var link = await Link.OpenAsync(time);
        var (_, proxy, client, server) = link;
        var latency = TimeSpan.FromMilliseconds(200);

        await proxy.DelayAsync(new DelayFault(latency));
        await client.SendAsync("slow");
        await proxy.WaitForHeldBytesAsync(4);
        time.Advance(latency - TimeSpan.FromTicks(1));
        Assert.Equal(0, proxy.Counters.Upstream.Forwarded);

        time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal("slow", await server.ReceiveAsync(4));
        await proxy.WaitUntilAsync(c => c.Upstream == new DirectionCounters(4, 0), "the chunk counted as forwarded");
    }

    /// <summary>
    /// The test's clock moves on at the worst moment: after the proxy read it for a delayed chunk and before it set
    /// its timer (<see cref="ClockMovingWhileATimerIsSet"/> moves it there). The chunk is still delivered once the
    /// clock reaches its due time, not that much later.
    /// </summary>
    [Fact]
    public async Task Delay_delivers_on_time_when_the_clock_moves_while_the_proxy_sets_its_timer()
    {
        var latency = TimeSpan.FromMilliseconds(200);
        var time = new ClockMovingWhileATimerIsSet(latency - TimeSpan.FromTicks(1));
        await using var link = await Link.OpenAsync(time);
        var (_, proxy, client, server) = link;

        await proxy.DelayAsync(new DelayFault(latency));
        await client.SendAsync("slow");
        await proxy.WaitForHeldBytesAsync(4);
        await time.Moved.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, proxy.Counters.Upstream.Forwarded);

        time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal("slow", await server.ReceiveAsync(4));
    }

    /// <summary>A fake clock that moves on by <paramref name="jump"/> the first time a timer is set to fire.</summary>
    private sealed class ClockMovingWhileATimerIsSet(TimeSpan jump) : FakeTimeProvider
    {
        private readonly TaskCompletionSource _moved = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _jumped;

        public Task Moved => _moved.Task;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            JumpOnce(dueTime);
            return new Timer(this, base.CreateTimer(callback, state, dueTime, period));
        }

        private void JumpOnce(TimeSpan dueTime)
        {
            if (dueTime != Timeout.InfiniteTimeSpan && Interlocked.Exchange(ref _jumped, 1) == 0)
            {
                Advance(jump);
                _moved.TrySetResult();
            }
        }

        private sealed class Timer(ClockMovingWhileATimerIsSet clock, ITimer inner) : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period)
            {
                clock.JumpOnce(dueTime);
                return inner.Change(dueTime, period);
            }

            public void Dispose() => inner.Dispose();

            public ValueTask DisposeAsync() => inner.DisposeAsync();
        }
    }

    [Fact]
    public async Task Delay_stalls_come_from_the_seed_so_a_run_can_be_repeated()
    {
        var time = new FakeTimeProvider();
        var fault = new DelayFault(TimeSpan.FromMilliseconds(100)) { MaxStall = TimeSpan.FromSeconds(1), StallProbability = 1, Seed = 7 };
        var stall = fault.Stalls().First();
        Assert.Equal(stall, new DelayFault(fault.Latency) { MaxStall = fault.MaxStall, StallProbability = 1, Seed = 7 }.Stalls().First());
        Assert.InRange(stall, TimeSpan.FromTicks(1), fault.MaxStall);

        await using var link = await Link.OpenAsync(time);
        var (_, proxy, client, server) = link;
        await proxy.DelayAsync(fault);
        await client.SendAsync("x");
        await proxy.WaitForHeldBytesAsync(1);
        time.Advance(fault.Latency + stall - TimeSpan.FromTicks(1));
        Assert.Equal(0, proxy.Counters.Upstream.Forwarded);

        time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal("x", await server.ReceiveAsync(1));
    }

    [Fact]
    public async Task Delay_on_the_system_clock_slows_a_round_trip_by_the_latency_each_way()
    {
        await using var target = new TcpTarget(echo: true);
        await using var proxy = FaultProxy.Start(target.EndPoint);
        using var client = await SocketText.ConnectAsync(proxy.Port);
        var latency = TimeSpan.FromMilliseconds(150);

        await proxy.DelayAsync(new DelayFault(latency));
        var stopwatch = Stopwatch.StartNew();
        await client.SendAsync("echo");
        Assert.Equal("echo", await client.ReceiveAsync(4));
        Assert.True(stopwatch.Elapsed >= 2 * latency, $"the round trip took {stopwatch.Elapsed.TotalMilliseconds:F0} ms");

        await proxy.HealAsync();
        await client.SendAsync("fast");
        Assert.Equal("fast", await client.ReceiveAsync(4));
    }

    [Fact]
    public async Task Delay_in_one_direction_leaves_the_other_alone()
    {
        var time = new FakeTimeProvider();
        await using var link = await Link.OpenAsync(time);
        var (_, proxy, client, server) = link;

        await proxy.DelayAsync(new DelayFault(TimeSpan.FromSeconds(5)) { Directions = FaultDirection.Downstream });
        await client.SendAsync("up");
        Assert.Equal("up", await server.ReceiveAsync(2)); // the clock never moved
        await server.SendAsync("down");
        await proxy.WaitForHeldBytesAsync(4);
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal("down", await client.ReceiveAsync(4));
    }

    [Fact]
    public async Task Reset_resets_open_connections_on_both_sides_and_every_new_one_until_healed()
    {
        await using var link = await Link.OpenAsync();
        var (target, proxy, client, server) = link;

        await proxy.ResetAsync();
        Assert.Equal(SocketError.ConnectionReset, await client.ReceiveEndAsync());
        Assert.Equal(SocketError.ConnectionReset, await server.ReceiveEndAsync());

        Assert.Equal(SocketError.ConnectionReset, await SocketText.ConnectAndReceiveEndAsync(proxy.Port)); // accepted, then reset
        Assert.Equal(1, target.Accepted);
        var counters = await proxy.WaitUntilAsync(c => c.Reset == 2, "both connections reset");
        Assert.Equal(0, counters.Open);

        await proxy.HealAsync();
        using var again = await SocketText.ConnectAsync(proxy.Port);
        using var againServer = await target.NextAsync();
        await again.SendAsync("ok");
        Assert.Equal("ok", await againServer.ReceiveAsync(2));
    }

    [Fact]
    public async Task A_fault_for_some_clients_leaves_the_others_alone()
    {
        var cutOff = IPAddress.Parse("127.0.0.2");
        await using var target = new TcpTarget();
        await using var proxy = FaultProxy.Start(target.EndPoint);
        using var held = await SocketText.ConnectAsync(proxy.Port, from: cutOff);
        using var heldServer = await target.NextAsync();
        using var free = await SocketText.ConnectAsync(proxy.Port);
        using var freeServer = await target.NextAsync();

        await proxy.HoldAsync(only: client => client.Address.Equals(cutOff));
        await held.SendAsync("held");
        await proxy.WaitForHeldBytesAsync(4);
        await free.SendAsync("free");
        Assert.Equal("free", await freeServer.ReceiveAsync(4));
        Assert.Equal(0, heldServer.Available);

        await proxy.ResetAsync(only: client => client.Address.Equals(cutOff));
        Assert.Equal(SocketError.ConnectionReset, await held.ReceiveEndAsync());
        await free.SendAsync("still");
        Assert.Equal("still", await freeServer.ReceiveAsync(5));
    }

    [Fact]
    public async Task A_proxy_started_on_another_address_listens_there_only()
    {
        var address = IPAddress.Parse("127.0.0.3");
        await using var target = new TcpTarget();
        await using var proxy = FaultProxy.Start(target.EndPoint, listenAddress: address);
        Assert.Equal(address, proxy.Address);

        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(address, proxy.Port);
        using var server = await target.NextAsync();
        await client.SendAsync("there");
        Assert.Equal("there", await server.ReceiveAsync(5));

        using var elsewhere = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var refused = await Assert.ThrowsAsync<SocketException>(async () => await elsewhere.ConnectAsync(IPAddress.Loopback, proxy.Port));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
    }

    [Fact]
    public async Task A_target_that_refuses_resets_the_client()
    {
        var closedPort = LoopbackPorts.Free();
        await using var proxy = FaultProxy.Start(closedPort);

        Assert.Equal(SocketError.ConnectionReset, await SocketText.ConnectAndReceiveEndAsync(proxy.Port));
        await proxy.WaitUntilAsync(c => c.Reset == 1 && c.Open == 0, "the connection reset");
    }

    [Fact]
    public async Task A_clean_close_passes_through_as_a_clean_close()
    {
        await using var link = await Link.OpenAsync();
        var (_, proxy, client, server) = link;

        await client.SendAsync("bye");
        client.Shutdown(SocketShutdown.Send);
        Assert.Equal("bye", await server.ReceiveAsync(3));
        Assert.Equal(SocketError.Success, await server.ReceiveEndAsync());
        await server.SendAsync("ok");
        server.Shutdown(SocketShutdown.Send);
        Assert.Equal("ok", await client.ReceiveAsync(2));
        Assert.Equal(SocketError.Success, await client.ReceiveEndAsync());
        var counters = await proxy.WaitUntilAsync(c => c.Open == 0, "the connection closed");
        Assert.Equal(0, counters.Reset);
    }

    /// <summary>A real redis-server behind the fault proxy, a real StackExchange.Redis client in front of it.</summary>
    [Integration]
    [Fact]
    public async Task A_command_waits_while_held_and_completes_once_healed()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var proxy = FaultProxy.Start(redis.Port);
        // Timeouts far beyond the test's length: what is held is seen in the proxy's counters and in Redis itself, not
        // inferred from a client timing out (a client timing out on a busy machine proves nothing about the proxy).
        await using var client = await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions
        {
            EndPoints = { { "127.0.0.1", proxy.Port } },
            AsyncTimeout = 30_000,
            SyncTimeout = 30_000,
            ConnectTimeout = 30_000,
        });
        var db = client.GetDatabase();
        Assert.True(await db.StringSetAsync("before", "1"));

        await proxy.HoldAsync();
        var forwarded = proxy.Counters.Upstream.Forwarded;
        var held = db.StringSetAsync("held", "written");
        await proxy.WaitUntilAsync(c => c.Upstream.Held > 0, "the SET held");
        Assert.False(held.IsCompleted);
        Assert.Equal(forwarded, proxy.Counters.Upstream.Forwarded);
        Assert.Equal("$-1\r\n", await redis.SendAsync("GET", "held")); // Redis never saw the SET
        Assert.False(held.IsCompleted);

        await proxy.HealAsync();
        Assert.True(await held); // the held SET went through once healed, answered on the same connection
        Assert.Equal("written", await db.StringGetAsync("held"));
        await proxy.WaitUntilAsync(c => c.BytesHeld == 0, "nothing held");
    }

    /// <summary>A target, the proxy in front of it, and one connection through the proxy: the client's end and the target's.</summary>
    private sealed record Link(TcpTarget Target, FaultProxy Proxy, Socket Client, Socket Server) : IAsyncDisposable
    {
        public static async Task<Link> OpenAsync(TimeProvider? time = null)
        {
            var target = new TcpTarget();
            var proxy = FaultProxy.Start(target.EndPoint, time: time);
            var client = await SocketText.ConnectAsync(proxy.Port);
            return new Link(target, proxy, client, await target.NextAsync());
        }

        public async ValueTask DisposeAsync()
        {
            Server.Dispose();
            Client.Dispose();
            await Proxy.DisposeAsync();
            await Target.DisposeAsync();
        }
    }
}
