using System.Net;
using EdgeGuard.Proxy.Configuration;
using EdgeGuard.Proxy.Filtering;
using Polly;
using Polly.Retry;

namespace EdgeGuard.Proxy.Writes;

/// <summary>
/// Learns the outcome of a write whose answer never came back, by asking the catalog for the product: 200
/// means the write (or another) created it. A 404 proves less: the write the gateway gave up on may still be
/// running inside the catalog and commit a moment later, so "absent" is only concluded when the catalog still
/// says 404 after <c>EdgeGuard:Writes:SettleTime</c>. Each question is asked again with backoff for as long as
/// the catalog cannot answer; the id stays pending all along (reads of it are forwarded, never rejected).
/// </summary>
public sealed class WriteVerifier(
    IHttpClientFactory httpClients,
    CatalogDestination catalog,
    IOptions<EdgeGuardOptions> options,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    Observability.LogThrottle logThrottle,
    ILogger<WriteVerifier> logger)
{
    /// <summary>Verifies in the background whether <paramref name="id"/> exists, and ends its write by what the catalog says: <paramref name="commit"/> when it does, <paramref name="abort"/> when not.</summary>
    public void VerifyInBackground(string id, Func<CancellationToken, ValueTask> commit, Func<ValueTask> abort)
    {
        if (logThrottle.ShouldLog("write-outcome-unknown", out var suppressed))
        {
            WriteLogMessages.WriteOutcomeUnknown(logger, id, suppressed);
        }

        _ = Task.Run(() => VerifyAsync(id, commit, abort, lifetime.ApplicationStopping));
    }

    private async Task VerifyAsync(string id, Func<CancellationToken, ValueTask> commit, Func<ValueTask> abort, CancellationToken stopping)
    {
        var pipeline = new ResiliencePipelineBuilder<bool?> { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<bool?>
            {
                ShouldHandle = new PredicateBuilder<bool?>().HandleResult(exists => exists is null).Handle<HttpRequestException>().Handle<TaskCanceledException>(_ => !stopping.IsCancellationRequested),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(100),
                MaxDelay = options.Value.Writes.MaxVerifyDelay,
            })
            .Build();
        try
        {
            var exists = await pipeline.ExecuteAsync(ProductExistsAsync, stopping).ConfigureAwait(false);
            if (exists != true)
            {
                await Task.Delay(options.Value.Writes.SettleTime, time, stopping).ConfigureAwait(false);
                exists = await pipeline.ExecuteAsync(ProductExistsAsync, stopping).ConfigureAwait(false);
            }

            if (exists == true)
            {
                await commit(stopping).ConfigureAwait(false);
            }
            else
            {
                await abort().ConfigureAwait(false);
            }

            WriteLogMessages.WriteOutcomeLearned(logger, id, exists == true);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            WriteLogMessages.WriteOutcomeNeverLearned(logger, id);
        }

        async ValueTask<bool?> ProductExistsAsync(CancellationToken cancellationToken)
        {
            var path = options.Value.Writes.VerifyPath.Replace("{id}", Uri.EscapeDataString(id), StringComparison.Ordinal);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            using var response = await httpClients.CreateClient(CatalogDestination.HttpClientName)
                .GetAsync(new Uri(catalog.Address, path), HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            return response.StatusCode switch
            {
                HttpStatusCode.OK => true,
                HttpStatusCode.NotFound => false,
                _ => null,
            };
        }
    }
}
