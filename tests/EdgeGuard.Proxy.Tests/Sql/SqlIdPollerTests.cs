using System.Threading.Channels;
using EdgeGuard.Filter;
using EdgeGuard.Proxy.Configuration;
using EdgeGuard.Proxy.Filtering;
using EdgeGuard.Proxy.Filtering.Sources;
using EdgeGuard.Proxy.Observability;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace EdgeGuard.Proxy.Tests.Sql;

/// <summary>
/// The poller of incremental sources (the SQL source's new rows), driven step by step: each read of the scripted
/// source waits for the test to say how it goes, so every assertion is made at a known point (latches, no sleeps).
/// </summary>
public sealed class SqlIdPollerTests : IAsyncLifetime
{
    private readonly ScriptedSource _source = new(["A-1", "B-2", "not valid!", "C-3", "D-4"]);
    private readonly RecordingAnnouncer _announcer;
    private readonly ProductFilter _filter = new();
    private readonly IdSourceHealth _health = new(TimeProvider.System);
    private readonly ListLogger<IncrementalIdPoller> _log = new();
    private readonly IncrementalIdPoller _poller;

    public SqlIdPollerTests()
    {
        _announcer = new RecordingAnnouncer(_source.Events);
        _source.IsFilterReady = () => _filter.IsReady;
        var options = new EdgeGuardOptions { Bloom = { MaxRetryDelay = TimeSpan.FromMilliseconds(20) } };
        _poller = new IncrementalIdPoller(new IdSourceSet([_source]), _filter, _announcer, new StandaloneLeadership(), new ProductIdRule(ProductIdRule.DefaultPattern),
            _health, new LogThrottle(TimeProvider.System), Microsoft.Extensions.Options.Options.Create(options), TimeProvider.System, _log)
        {
            MaxIdsPerRead = 2,
        };
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _poller.StopAsync(CancellationToken.None);
        _poller.Dispose();
    }

    [Fact]
    public async Task Nothing_is_read_before_the_filter_is_ready()
    {
        await _poller.StartAsync(CancellationToken.None); // a poller that did not wait would read right here
        await MakeReadyAsync();
        await _source.Proceed();

        Assert.True(await _source.NextCallAsync() is { FilterWasReady: true });
    }

    [Fact]
    public async Task Ids_are_announced_before_the_cursor_moves_page_after_page_until_caught_up()
    {
        await MakeReadyAsync();
        await _poller.StartAsync(CancellationToken.None);

        for (var i = 0; i < 3; i++)
        {
            await _source.Proceed();
        }

        await _source.NextCallAsync();
        await _source.NextCallAsync();
        await _source.NextCallAsync();
        await _source.NextCallAsync(); // the fourth read (the next poll) starts only once the third batch was advanced

        Assert.Equal(
            ["read@0", "announce A-1,B-2", "advance→2", "read@2", "announce C-3", "advance→4", "read@4", "announce D-4", "advance→5", "read@5"],
            _source.Events.ToArray());
        Assert.Equal(4, _health.For("scripted").Learned); // "not valid!" is skipped by the id rule
    }

    [Fact]
    public async Task A_failed_read_keeps_the_cursor_degrades_readiness_until_a_poll_succeeds()
    {
        await MakeReadyAsync();
        await _poller.StartAsync(CancellationToken.None);

        await _source.Fail(new InvalidOperationException("the database went away"));
        await _source.NextCallAsync();
        await _source.NextCallAsync(); // the retry has begun: the failure was recorded before its delay
        var degraded = await CheckHealthAsync();
        await _source.Proceed();
        await _source.Proceed();
        await _source.Proceed();
        await _source.NextCallAsync();
        await _source.NextCallAsync();
        await _source.NextCallAsync(); // the next poll: the previous one succeeded
        var healthy = await CheckHealthAsync();

        Assert.Equal(HealthStatus.Degraded, degraded.Status);
        Assert.Contains("the database went away", degraded.Description);
        Assert.Equal(HealthStatus.Healthy, healthy.Status);
        Assert.Equal(["read@0", "read@0", "announce A-1,B-2", "advance→2"], _source.Events.Take(4).ToArray());
        Assert.Contains(_log.Entries, entry => entry.EventId == 142 && entry.Message.Contains("after 1 failed attempts", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_refused_announcement_keeps_the_cursor_and_the_batch_is_read_again()
    {
        await MakeReadyAsync();
        _announcer.FailNext(new WriteRefusedException("the cluster is unreachable", TimeSpan.FromSeconds(1)));
        await _poller.StartAsync(CancellationToken.None);

        await _source.Proceed();
        await _source.Proceed();
        await _source.NextCallAsync();
        await _source.NextCallAsync();
        await _source.NextCallAsync(); // the next page's read: the batch read again was announced and advanced past

        Assert.Equal(["read@0", "announce refused A-1,B-2", "read@0", "announce A-1,B-2", "advance→2", "read@2"], _source.Events.ToArray());
        Assert.Equal(1, _health.For("scripted").ConsecutiveFailures); // the refusal counted as a failed attempt
    }

    [Fact]
    public async Task An_outage_is_logged_once_in_full_then_at_a_bounded_rate()
    {
        await MakeReadyAsync();
        await _poller.StartAsync(CancellationToken.None);

        for (var i = 0; i < 30; i++)
        {
            await _source.Fail(new TimeoutException("no answer from the database"));
            await _source.NextCallAsync();
        }

        await _source.NextCallAsync(); // the 31st read has begun: all 30 failures were handled
        var warnings = _log.Entries.Where(entry => entry.Level == LogLevel.Warning).ToList();

        Assert.Equal(30, _health.For("scripted").ConsecutiveFailures);
        Assert.Single(warnings); // the throttle's window (10 s) is longer than this test
        Assert.IsType<TimeoutException>(warnings[0].Exception); // the first one in full
        Assert.Equal(["read@0"], _source.Events.Distinct().ToArray()); // nothing announced, nothing advanced
    }

    private async Task MakeReadyAsync()
    {
        using var rebuild = await _filter.BeginRebuildAsync(CancellationToken.None);
        rebuild.Commit(new BuiltFilter(new BloomFilter(1_000, 0.01), 0, TimeSpan.Zero, false), carryOverCurrent: false);
    }

    private Task<HealthCheckResult> CheckHealthAsync() =>
        new IdSourceHealthCheck(_health).CheckHealthAsync(new HealthCheckContext());

    /// <summary>An incremental source over a fixed list whose every read waits for a step from the test.</summary>
    private sealed class ScriptedSource(IReadOnlyList<string> rows) : IIncrementalIdSource
    {
        private readonly Channel<Exception?> _steps = Channel.CreateUnbounded<Exception?>();
        private readonly Channel<Call> _calls = Channel.CreateUnbounded<Call>();
        private readonly Lock _lock = new();
        private int _cursor;

        public Func<bool> IsFilterReady { get; set; } = () => true;

        public EventLog Events { get; } = new();

        public string Name => "scripted";

        public string Identity => "scripted rows";

        public bool YieldsDistinctIds => true;

        public void StartFrom(string position) => throw new NotSupportedException("The poller never restarts a source.");

        public TimeSpan PollInterval => TimeSpan.FromMilliseconds(20);

        public sealed record Call(int Number, bool FilterWasReady);

        public ValueTask Proceed() => _steps.Writer.WriteAsync(null);

        public ValueTask Fail(Exception exception) => _steps.Writer.WriteAsync(exception);

        /// <summary>Waits until the next read has begun (it then waits for its step).</summary>
        public async Task<Call> NextCallAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            return await _calls.Reader.ReadAsync(timeout.Token);
        }

        public IAsyncEnumerable<string> ReadAllAsync(CancellationToken cancellationToken) => rows.ToAsyncEnumerable();

        public async Task<IdBatch> ReadNewAsync(int maxIds, CancellationToken cancellationToken)
        {
            int from;
            lock (_lock)
            {
                from = _cursor;
            }

            Events.Add($"read@{from}");
            await _calls.Writer.WriteAsync(new Call(Events.Count, IsFilterReady()), cancellationToken);
            if (await _steps.Reader.ReadAsync(cancellationToken) is { } failure)
            {
                throw failure;
            }

            var ids = rows.Skip(from).Take(maxIds).ToList();
            return ids.Count == 0 ? IdBatch.Empty : new IdBatch(ids, from + ids.Count) { MayHaveMore = from + ids.Count < rows.Count };
        }

        public void Advance(IdBatch batch)
        {
            if (batch.Cursor is int cursor)
            {
                lock (_lock)
                {
                    _cursor = cursor;
                }

                Events.Add($"advance→{cursor}");
            }
        }
    }

    private sealed class RecordingAnnouncer(EventLog events) : IIdAnnouncer
    {
        private Exception? _failNext;

        public void FailNext(Exception exception) => _failNext = exception;

        public ValueTask AnnounceAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken)
        {
            if (Interlocked.Exchange(ref _failNext, null) is { } failure)
            {
                events.Add("announce refused " + string.Join(",", ids));
                throw failure;
            }

            events.Add("announce " + string.Join(",", ids));
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>What happened, in order, across the source, the announcer and the poller's threads.</summary>
    private sealed class EventLog
    {
        private readonly List<string> _events = [];

        public int Count
        {
            get
            {
                lock (_events)
                {
                    return _events.Count;
                }
            }
        }

        public void Add(string entry)
        {
            lock (_events)
            {
                _events.Add(entry);
            }
        }

        public string[] ToArray()
        {
            lock (_events)
            {
                return [.. _events];
            }
        }

        public IEnumerable<string> Take(int count) => ToArray().Take(count);

        public IEnumerable<string> Distinct() => ToArray().Distinct();
    }
}

/// <summary>Collects log entries for assertions.</summary>
public sealed class ListLogger<T> : ILogger<T>
{
    private readonly List<Entry> _entries = [];

    public sealed record Entry(LogLevel Level, int EventId, string Message, Exception? Exception);

    public IReadOnlyList<Entry> Entries
    {
        get
        {
            lock (_entries)
            {
                return [.. _entries];
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_entries)
        {
            _entries.Add(new Entry(logLevel, eventId.Id, formatter(state, exception), exception));
        }
    }
}
