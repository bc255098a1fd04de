using System.Diagnostics;
using EdgeGuard.Filter;
using EdgeGuard.Proxy.Configuration;
using EdgeGuard.Proxy.Filtering.Sources;
using EdgeGuard.Proxy.Observability;
using Polly;
using Polly.Retry;

namespace EdgeGuard.Proxy.Filtering;

/// <summary>
/// Learns new ids from every <see cref="IIncrementalIdSource"/> (the catalog's database), so products created
/// behind the gateway's back are not rejected for long: once the filter is ready, every
/// <see cref="IIncrementalIdSource.PollInterval"/> it reads what is new (page by page until caught up), hands
/// the ids to <see cref="IIdAnnouncer"/> and only then moves the source's cursor.
/// <para>
/// A failed poll (the database gone, the announcement refused) keeps the cursor, so nothing is lost; it is
/// retried with capped exponential backoff, logged at a bounded rate (<see cref="LogThrottle"/>) and reported
/// as Degraded readiness (<see cref="IdSourceHealth"/>) until a poll succeeds again.
/// </para>
/// </summary>
public sealed class IncrementalIdPoller(
    IdSourceSet sources,
    ProductFilter filter,
    IIdAnnouncer announcer,
    ILeadership leadership,
    ProductIdRule idRule,
    IdSourceHealth health,
    LogThrottle throttle,
    IOptions<EdgeGuardOptions> options,
    TimeProvider time,
    ILogger<IncrementalIdPoller> logger) : BackgroundService
{
    /// <summary>Rows read per query at most; a poll reads pages of this size until it has caught up.</summary>
    public const int DefaultMaxIdsPerRead = 10_000;

    /// <summary>How often the poller looks whether the filter is ready, before its first poll.</summary>
    private static readonly TimeSpan ReadyCheckInterval = TimeSpan.FromMilliseconds(50);

    public int MaxIdsPerRead { get; set; } = DefaultMaxIdsPerRead;

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var incremental = sources.Incremental.ToList();
        return incremental.Count == 0 ? Task.CompletedTask : Task.WhenAll(incremental.Select(source => PollAsync(source, stoppingToken)));
    }

    private async Task PollAsync(IIncrementalIdSource source, CancellationToken stoppingToken)
    {
        var state = health.For(source.Name);
        var interval = source.PollInterval;
        var retry = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is not OperationCanceledException || !stoppingToken.IsCancellationRequested),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = interval < TimeSpan.FromSeconds(1) ? interval : TimeSpan.FromSeconds(1),
                MaxDelay = interval > options.Value.Bloom.MaxRetryDelay ? interval : options.Value.Bloom.MaxRetryDelay,
                OnRetry = args =>
                {
                    LogFailure(source, state, args.Outcome.Exception!, args.RetryDelay);
                    return default;
                },
            })
            .Build();

        try
        {
            // Before the first filter is in use there is nothing to add to: its first load reads everything.
            while (!filter.IsReady)
            {
                await Task.Delay(ReadyCheckInterval, time, stoppingToken).ConfigureAwait(false);
            }

            var first = true;
            using var timer = new PeriodicTimer(interval, time);
            do
            {
                if (!leadership.IsLeader)
                {
                    continue; // in a cluster the leader polls and announces to everyone
                }

                var started = Stopwatch.GetTimestamp();
                var learned = await retry.ExecuteAsync(ct => PollOnceAsync(source, ct), stoppingToken).ConfigureAwait(false);
                var failures = state.Succeeded(learned);
                var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (failures > 0)
                {
                    LogMessages.IdPollResumed(logger, source.Name, failures, learned);
                }
                else if (first)
                {
                    LogMessages.IdPollCaughtUp(logger, source.Name, learned, elapsed, interval.TotalMilliseconds);
                }
                else if (learned > 0)
                {
                    LogMessages.IdsPolled(logger, source.Name, learned, elapsed);
                }

                first = false;
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Reads what is new, page by page until caught up; each page's ids are announced before the cursor moves past them.</summary>
    private async ValueTask<long> PollOnceAsync(IIncrementalIdSource source, CancellationToken cancellationToken)
    {
        long learned = 0;
        while (true)
        {
            var batch = await source.ReadNewAsync(MaxIdsPerRead, cancellationToken).ConfigureAwait(false);
            if (batch.Ids.Count > 0)
            {
                var ids = Valid(batch.Ids);
                if (ids.Count > 0)
                {
                    await announcer.AnnounceAsync(ids, cancellationToken).ConfigureAwait(false);
                }

                learned += ids.Count;
            }

            source.Advance(batch);
            if (!batch.MayHaveMore)
            {
                return learned;
            }
        }
    }

    /// <summary>The ids the id rule accepts (as the builder does: an id that cannot be asked for needs no bits).</summary>
    private IReadOnlyList<string> Valid(IReadOnlyList<string> ids)
    {
        foreach (var id in ids)
        {
            if (!idRule.IsValid(id))
            {
                return [.. ids.Where(id => idRule.IsValid(id))];
            }
        }

        return ids;
    }

    private void LogFailure(IIdSource source, IdSourceHealth.Source state, Exception exception, TimeSpan delay)
    {
        var error = Describe(source, exception);
        var attempts = state.Failed(error);
        if (!throttle.ShouldLog("id-poll:" + source.Name, out var suppressed))
        {
            return;
        }

        if (attempts == 1)
        {
            LogMessages.IdPollFailed(logger, source.Name, delay.TotalMilliseconds, suppressed, exception);
        }
        else
        {
            LogMessages.IdPollStillFailing(logger, source.Name, attempts, error, delay.TotalMilliseconds, suppressed, throttle.Window.TotalSeconds);
        }
    }

    private static string Describe(IIdSource source, Exception exception)
    {
        if (source is Sources.Sql.SqlIdSource sql)
        {
            return sql.Describe(exception);
        }

        return exception.InnerException is { } inner && inner.Message != exception.Message
            ? $"{exception.Message} ({inner.Message})"
            : exception.Message;
    }
}
