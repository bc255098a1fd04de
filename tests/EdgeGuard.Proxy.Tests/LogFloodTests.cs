using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGuard.Proxy.Tests;

/// <summary>
/// An outage must not flood the log: 10 s of load with the catalog down once wrote 85–95 MB (a warning with a
/// stack trace per request). Now the first failure of each cause is logged in full, then one line per cause per
/// window carrying the count suppressed.
/// </summary>
public sealed class LogFloodTests
{
    [Fact]
    public async Task Catalog_outage_under_load_logs_a_few_lines_with_counts_not_one_per_request()
    {
        var logs = new CapturedLogs();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var ids = Enumerable.Range(0, 600).Select(i => $"SKU-{i}").ToArray();
        // Port 9 (discard) is closed on loopback: every forward fails at once.
        await using var gateway = Gateways.Build().WithIds(ids).WithTime(time)
            .WithServices(services => services.AddLogging(logging => logging.AddProvider(logs)))
            .InProcess();
        using var client = await gateway.CreateReadyClientAsync();

        for (var round = 0; round < 3; round++)
        {
            var requests = ids.Skip(round * 200).Take(200).Select(async id =>
            {
                using var read = await client.GetAsync($"/products/{id}");
                using var other = await client.GetAsync($"/catalog/{id}");
                using var write = await client.PutAsync($"/products/{id}", new StringContent("""{"name":"x","price":1}""", Encoding.UTF8, "application/json"));
                Assert.True(read.StatusCode >= HttpStatusCode.InternalServerError && other.StatusCode >= HttpStatusCode.InternalServerError);
            });
            await Task.WhenAll(requests);
            time.Advance(TimeSpan.FromSeconds(11)); // past the throttle's window
        }

        var warnings = logs.AtLeast(LogLevel.Warning);
        var failures = warnings.Where(e => e.Message.Contains("Forwarding to cluster catalog failed", StringComparison.Ordinal)).ToList();
        Assert.True(warnings.Count <= 20, $"{warnings.Count} warning lines for 1,800 failed requests:{Environment.NewLine}{string.Join(Environment.NewLine, warnings.Take(30).Select(e => e.Message))}");
        Assert.NotEmpty(failures);
        // One in full (the first the throttle let through; with 200 requests at once, another line may reach the log
        // before it), the others count what they hid.
        Assert.Contains(failures, e => e.Exception is not null);
        Assert.Contains(failures, e => e.Exception is null && !e.Message.Contains("(0 more like it", StringComparison.Ordinal));
    }
}
