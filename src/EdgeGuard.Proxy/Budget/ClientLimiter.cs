using System.Net;
using System.Threading.RateLimiting;

namespace EdgeGuard.Proxy.Budget;

/// <summary>
/// A token bucket per client (<see cref="ClientKey"/>): System.Threading.RateLimiting's partitioned limiter, which
/// keeps one bucket per client seen, refills them all from one timer, and drops a client's bucket once it has been
/// full (unused) for a while (10 s in the library), so memory follows the clients of the last seconds, not every
/// client ever seen. Clients in an exempt network are never limited and get no bucket.
/// </summary>
public sealed class ClientLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<ClientKey> _limiter;
    private readonly IReadOnlyList<IPNetwork> _exempt;
    private readonly TokenBucketRateLimiterOptions _bucket;
    private readonly Func<ClientKey, RateLimiter> _createBucket;

    public ClientLimiter(double perSecond, int burst, IReadOnlyList<IPNetwork> exempt)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perSecond);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(burst);
        PerSecond = perSecond;
        Burst = burst;
        _exempt = exempt;

        // The partitioned limiter refills its buckets from one timer every 100 ms, and a bucket adds its tokens once a
        // whole period has passed since the last refill: a period of about a second (a whole second's tokens at once)
        // keeps that granularity from costing more than a tenth of the rate. A burst smaller than a second's tokens
        // needs a shorter period, with the same tokens per period as the burst.
        var tokensPerPeriod = (int)Math.Clamp(Math.Ceiling(perSecond), 1, burst);
        _bucket = new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = tokensPerPeriod,
            ReplenishmentPeriod = TimeSpan.FromSeconds(tokensPerPeriod / perSecond),
            QueueLimit = 0,
            // The partitioned limiter's timer refills every bucket: no timer per client.
            AutoReplenishment = false,
        };
        // One delegate and one options object for every bucket: a client costs its bucket and its table entry only.
        _createBucket = _ => new TokenBucketRateLimiter(_bucket);
        _limiter = PartitionedRateLimiter.Create<ClientKey, ClientKey>(key => RateLimitPartition.Get(key, _createBucket));
    }

    public double PerSecond { get; }

    public int Burst { get; }

    /// <summary>True when <paramref name="client"/> is in an exempt network.</summary>
    public bool IsExempt(IPAddress? client)
    {
        if (client is null || _exempt.Count == 0)
        {
            return false;
        }

        var address = client.IsIPv4MappedToIPv6 ? client.MapToIPv4() : client;
        foreach (var network in _exempt)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Takes one catalog request from <paramref name="client"/>'s budget. Null when taken (or the client is exempt);
    /// otherwise the client is over its budget, and the value is how long until it has some again.
    /// </summary>
    public TimeSpan? TrySpend(IPAddress? client, out ClientKey key)
    {
        key = ClientKey.Of(client);
        if (IsExempt(client))
        {
            return null;
        }

        using var lease = _limiter.AttemptAcquire(key);
        if (lease.IsAcquired)
        {
            return null;
        }

        return lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) && retryAfter > TimeSpan.Zero ? retryAfter : _bucket.ReplenishmentPeriod;
    }

    public void Dispose() => _limiter.Dispose();
}
