using EdgeGuard.Proxy.Caching;
using EdgeGuard.Proxy.Cluster;
using Microsoft.Extensions.Caching.Distributed;
using StackExchange.Redis;
using ZiggyCreatures.Caching.Fusion.Serialization.SystemTextJson;

namespace EdgeGuard.Proxy.Tests.Redis;

/// <summary>
/// StackExchange.Redis completes a command still in flight as cancelled (<see cref="TaskCanceledException"/>), or with
/// its pipe's <see cref="InvalidOperationException"/>, when it drops a connection that stopped answering: the fault
/// harness met both on a gateway cut off from Redis (bytes held), where a refresh's read of Redis, an announcement's
/// append and a write's begin came back so and the gateway answered 500. Whatever a Redis command throws is Redis not
/// answering, like a timeout; a cancellation the caller asked for is not.
/// </summary>
public sealed class RedisFailuresTests
{
    [Fact]
    public void Whatever_a_command_throws_is_Redis_not_answering_but_a_cancellation_the_caller_asked_for()
    {
        using var asked = new CancellationTokenSource();
        asked.Cancel();

        Assert.True(RedisFailures.IsUnanswered(new TaskCanceledException()));
        Assert.True(RedisFailures.IsUnanswered(new RedisTimeoutException("timeout", CommandStatus.Sent)));
        Assert.True(RedisFailures.IsUnanswered(new RedisConnectionException(ConnectionFailureType.SocketFailure, "gone")));
        Assert.True(RedisFailures.IsUnanswered(new TimeoutException()));
        Assert.True(RedisFailures.IsUnanswered(new InvalidOperationException("Reading is not allowed after reader was completed.")));
        Assert.True(RedisFailures.IsUnanswered(new OperationCanceledException(asked.Token))); // another token was cancelled
        Assert.False(RedisFailures.IsUnanswered(new OperationCanceledException(asked.Token), asked.Token));
        Assert.True(ClusterConnection.IsOutage(new TaskCanceledException())); // the cluster's one rule is this one
    }

    [Fact]
    public async Task A_read_of_Redis_cancelled_by_the_client_library_is_no_answer_not_an_error()
    {
        var reader = new SharedEntryReader(new CancellingCache(), new FusionCacheSystemTextJsonSerializer(CacheEntryFormatter.SerializerOptions), TimeProvider.System);

        var read = await reader.ReadAsync("cache:product:HAVE-1", CancellationToken.None);

        Assert.Equal(SharedRead.NoAnswer, read);
    }

    [Fact]
    public async Task A_read_the_caller_cancels_stays_cancelled()
    {
        var reader = new SharedEntryReader(new CancellingCache(), new FusionCacheSystemTextJsonSerializer(CacheEntryFormatter.SerializerOptions), TimeProvider.System);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await reader.ReadAsync("cache:product:HAVE-1", cancelled.Token));
    }

    /// <summary>Every read comes back cancelled, as StackExchange.Redis completes a command in flight on a connection it drops.</summary>
    private sealed class CancellingCache : IDistributedCache
    {
        public byte[]? Get(string key) => throw new TaskCanceledException();

        public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => Task.FromCanceled<byte[]?>(new CancellationToken(canceled: true));

        public void Refresh(string key) => throw new NotSupportedException();

        public Task RefreshAsync(string key, CancellationToken token = default) => throw new NotSupportedException();

        public void Remove(string key) => throw new NotSupportedException();

        public Task RemoveAsync(string key, CancellationToken token = default) => throw new NotSupportedException();

        public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => throw new NotSupportedException();

        public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) => throw new NotSupportedException();
    }
}
