using System.Text.Json;
using Microsoft.Extensions.Caching.Distributed;
using Polly;
using Polly.Retry;
using ZiggyCreatures.Caching.Fusion.Internals.Distributed;
using ZiggyCreatures.Caching.Fusion.Serialization;

namespace EdgeGuard.Proxy.Caching;

/// <summary>What a read of Redis found: the entry, nothing, or no answer (Redis slow or unreachable).</summary>
public readonly record struct SharedRead(CacheEntry? Entry, bool Failed)
{
    public static SharedRead None { get; } = new(null, Failed: false);

    public static SharedRead NoAnswer { get; } = new(null, Failed: true);
}

/// <summary>
/// Reads the entry Redis holds for a key, past this instance's memory, telling "nothing there" from "no answer": a
/// refresh decides differently on each (see <c>ProductLookup</c>). FusionCache's own reads take a timed-out read for
/// a miss, and a refresh that took a slow read for "no other instance refreshed it" fetched a second time. A read
/// that fails is tried again twice, 10 ms apart: a command held up on a busy machine usually answers the next time.
/// The entry is FusionCache's distributed entry, read with the serializer FusionCache writes it with.
/// </summary>
public sealed class SharedEntryReader(IDistributedCache redis, IFusionCacheSerializer serializer, TimeProvider time)
{
    private readonly ResiliencePipeline _retry = new ResiliencePipelineBuilder { TimeProvider = time }
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } e && RedisFailures.IsUnanswered(e, args.Context.CancellationToken)),
            MaxRetryAttempts = 2,
            Delay = TimeSpan.FromMilliseconds(10),
            BackoffType = DelayBackoffType.Constant,
        })
        .Build();

    public async ValueTask<SharedRead> ReadAsync(string key, CancellationToken cancellationToken)
    {
        byte[]? bytes;
        try
        {
            bytes = await _retry.ExecuteAsync(async token => await redis.GetAsync(key, token).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (RedisFailures.IsUnanswered(e, cancellationToken))
        {
            return SharedRead.NoAnswer;
        }

        if (bytes is null)
        {
            return SharedRead.None;
        }

        try
        {
            // An entry of another format reads as nothing, as FusionCache takes it.
            return serializer.Deserialize<FusionCacheDistributedEntry<CacheEntry>>(bytes) is { Value: { } entry } ? new SharedRead(entry, Failed: false) : SharedRead.None;
        }
        catch (JsonException)
        {
            return SharedRead.None;
        }
    }
}
