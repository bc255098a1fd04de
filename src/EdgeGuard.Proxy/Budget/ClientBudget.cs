using System.Net;
using EdgeGuard.Proxy.Configuration;
using EdgeGuard.Proxy.Observability;

namespace EdgeGuard.Proxy.Budget;

/// <summary>A client over its budget: how long until it has some again (whole seconds, at least one: <c>Retry-After</c>).</summary>
public readonly record struct BudgetRefusal(int RetryAfterSeconds);

/// <summary>
/// The per-client upstream budget (<c>EdgeGuard:ClientBudget</c>, opt-in): only a request that would make the
/// catalog work spends it, at the one place that knows it will (the fill of a cache miss, the forward of a request
/// the cache may not answer). Bloom rejects, invalid ids, cache hits and waits for another client's fetch never
/// reach it. A client is its remote address (after <c>X-Forwarded-For</c> from known proxies, see
/// <see cref="ClientAddresses"/>), grouped as <see cref="ClientKey"/> says.
/// </summary>
public sealed class ClientBudget : IDisposable
{
    private const string HeldCause = "client-budget";

    private readonly ClientLimiter? _limiter;
    private readonly LogThrottle _throttle;
    private readonly ILogger<ClientBudget> _logger;

    public ClientBudget(IOptions<EdgeGuardOptions> options, LogThrottle throttle, ILogger<ClientBudget> logger)
    {
        _throttle = throttle;
        _logger = logger;
        var settings = options.Value.ClientBudget;
        if (settings.UpstreamPerSecond is not { } perSecond)
        {
            return;
        }

        _limiter = new ClientLimiter(perSecond, settings.EffectiveBurst, ClientBudgetSettings.Networks(settings.ExemptNetworks));
        BudgetLogMessages.BudgetOn(logger, perSecond, _limiter.Burst, settings.ExemptNetworks.Count, settings.KnownProxies.Count, settings.KnownNetworks.Count);
    }

    public bool IsOn => _limiter is not null;

    /// <summary>Spends one catalog request of <paramref name="client"/>'s budget: null when spent (or the budget is off,
    /// or the client exempt), else the refusal to answer with.</summary>
    public BudgetRefusal? TrySpend(IPAddress? client)
    {
        if (_limiter?.TrySpend(client, out var key) is not { } retryAfter)
        {
            return null;
        }

        // One line per window for all clients together: a sweep refused thousands of times a second writes a few lines
        // a minute, naming a client it caught.
        if (_throttle.ShouldLog(HeldCause, out var suppressed))
        {
            BudgetLogMessages.ClientHeld(_logger, key.ToString(), _limiter.PerSecond, _limiter.Burst, suppressed, _throttle.Window.TotalSeconds);
        }

        return new BudgetRefusal((int)Math.Max(1, Math.Ceiling(retryAfter.TotalSeconds)));
    }

    public void Dispose() => _limiter?.Dispose();
}
