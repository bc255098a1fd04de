using System.Net.Sockets;
using EdgeGuard.Testing.Redis;

namespace EdgeGuard.Testing.Tests.Processes;

/// <summary>The process base, through a real redis-server of each test's own.</summary>
[Integration]
public sealed class ExternalProcessTests : IAsyncLifetime
{
    private RedisServer _redis = null!;

    public async Task InitializeAsync() => _redis = await RedisServer.StartAsync();

    public async Task DisposeAsync() => await _redis.DisposeAsync();

    [Fact]
    public async Task Freeze_makes_it_answer_nothing_and_thaw_makes_it_answer_again()
    {
        _redis.Freeze();
        using (var frozen = new CancellationTokenSource(TimeSpan.FromMilliseconds(300)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => RedisWire.SendAsync(_redis.Port, ["PING"], frozen.Token));
        }

        _redis.Thaw();
        Assert.StartsWith("+PONG", await _redis.SendAsync("PING"));
    }

    [Fact]
    public async Task A_restart_comes_back_on_the_same_port_and_a_kill_is_an_outage()
    {
        var port = _redis.Port;

        _redis.Kill();
        Assert.False(_redis.IsRunning);
        await Assert.ThrowsAsync<SocketException>(() => _redis.SendAsync("PING"));

        await _redis.RestartAsync();
        Assert.Equal(port, _redis.Port);
        Assert.StartsWith("+PONG", await _redis.SendAsync("PING"));
    }

    [Fact]
    public async Task A_graceful_stop_lets_the_program_shut_down_by_itself()
    {
        await _redis.StopAsync(TimeSpan.FromSeconds(10));
        Assert.True(_redis.HasExited);
        Assert.Equal(0, await _redis.WaitForExitAsync(TimeSpan.FromSeconds(1))); // SIGTERM: redis exits cleanly, not killed
        Assert.Contains("ready to exit, bye bye", _redis.Output, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Dispose_kills_even_a_frozen_process_and_deletes_its_directory()
    {
        var processId = _redis.ProcessId;
        _redis.Freeze();

        await _redis.DisposeAsync();
        Assert.False(Directory.Exists(_redis.Directory));
        Assert.False(File.Exists($"/proc/{processId}/status") && !File.ReadAllText($"/proc/{processId}/status").Contains("State:\tZ", StringComparison.Ordinal),
            $"process {processId} is still alive");
    }
}

/// <summary>Finding the programs the tests need.</summary>
public sealed class RequiredExecutableTests
{
    [Fact]
    public void A_missing_program_fails_with_how_to_install_it()
    {
        var error = Assert.Throws<InvalidOperationException>(() => RequiredExecutable.Find("edgeguard-no-such-program", "edgeguard-package"));
        Assert.Contains("apt-get install -y edgeguard-package", error.Message);
    }
}
