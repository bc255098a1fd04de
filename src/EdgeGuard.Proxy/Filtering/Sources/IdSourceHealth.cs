using System.Collections.Concurrent;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EdgeGuard.Proxy.Filtering.Sources;

/// <summary>How the polls of each incremental id source are going, for readiness and logs.</summary>
public sealed class IdSourceHealth(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Source> _sources = new(StringComparer.Ordinal);

    public Source For(string name) => _sources.GetOrAdd(name, static (n, t) => new Source(n, t), time);

    public IReadOnlyCollection<Source> Sources => [.. _sources.Values.OrderBy(s => s.Name, StringComparer.Ordinal)];

    /// <summary>One source's polls.</summary>
    public sealed class Source(string name, TimeProvider time)
    {
        private readonly Lock _lock = new();
        private int _failures;
        private DateTimeOffset _failingSince;
        private string? _lastError;
        private DateTimeOffset? _lastSuccess;
        private long _learned;

        public string Name => name;

        /// <summary>Polls failed in a row (0 while healthy).</summary>
        public int ConsecutiveFailures
        {
            get
            {
                lock (_lock)
                {
                    return _failures;
                }
            }
        }

        /// <summary>When a poll last read everything new, or null before the first.</summary>
        public DateTimeOffset? LastSuccess
        {
            get
            {
                lock (_lock)
                {
                    return _lastSuccess;
                }
            }
        }

        /// <summary>Ids learned by polling since start.</summary>
        public long Learned => Interlocked.Read(ref _learned);

        /// <summary>Records a failed poll; returns how many failed in a row, this one included.</summary>
        public int Failed(string error)
        {
            lock (_lock)
            {
                if (_failures == 0)
                {
                    _failingSince = time.GetUtcNow();
                }

                _lastError = error;
                return ++_failures;
            }
        }

        /// <summary>Records a poll that read everything new; returns how many had failed in a row before it.</summary>
        public int Succeeded(long learned)
        {
            Interlocked.Add(ref _learned, learned);
            lock (_lock)
            {
                var failures = _failures;
                _failures = 0;
                _lastError = null;
                _lastSuccess = time.GetUtcNow();
                return failures;
            }
        }

        /// <summary>Null while healthy; else why it is degraded.</summary>
        public string? Degradation()
        {
            lock (_lock)
            {
                return _failures == 0
                    ? null
                    : $"Id source '{name}' cannot be polled since {_failingSince:u} ({_failures} failed attempts, retrying with backoff): {_lastError?.TrimEnd('.')}. " +
                      "The filter in use stays and is not losing ids; new products are learned once the source is back.";
            }
        }

        public string Describe()
        {
            lock (_lock)
            {
                return _lastSuccess is { } last ? $"'{name}' polled at {last:u}" : $"'{name}' not polled yet";
            }
        }
    }
}

/// <summary>Readiness: Degraded (still 200) while an incremental id source cannot be polled.</summary>
public sealed class IdSourceHealthCheck(IdSourceHealth health) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var sources = health.Sources;
        var problems = sources.Select(source => source.Degradation()).OfType<string>().ToList();
        return Task.FromResult(problems.Count > 0
            ? HealthCheckResult.Degraded(string.Join(" ", problems))
            : HealthCheckResult.Healthy(sources.Count == 0 ? "No incremental id source is polled." : "Id sources polled: " + string.Join(", ", sources.Select(s => s.Describe())) + "."));
    }
}
