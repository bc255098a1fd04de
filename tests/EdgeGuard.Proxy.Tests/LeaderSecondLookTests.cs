using System.Collections.Concurrent;
using System.Net;
using EdgeGuard.Proxy.Caching;
using EdgeGuard.Proxy.Protection;
using EdgeGuard.Proxy.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace EdgeGuard.Proxy.Tests;

/// <summary>
/// A request that missed the cache just before another request's fetch for the same id ended must not
/// fetch again; a request with nothing to catch up on must not look in the cache twice. The cache is the
/// real embedded store behind a wrapper that counts lookups and can hold one back.
/// </summary>
public sealed class LeaderSecondLookTests : GatewayTestBase
{
    private readonly HoldingCacheStore _store = new();

    protected override IEnumerable<string> KnownIds => ["RACE-1", "COLD-1", "COLD-2"];

    protected override void ConfigureServices(IServiceCollection services) =>
        services.AddSingleton<IProductCacheStore>(provider => _store.Around(ActivatorUtilities.CreateInstance<MemoryProductCacheStore>(provider)));

    protected override void StubUpstream()
    {
        foreach (var id in KnownIds)
        {
            Upstream.Given(Request.Create().WithPath($"/products/{id}").UsingGet())
                .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody($$"""{"id":"{{id}}"}"""));
        }
    }

    [Fact]
    public async Task Request_that_missed_before_another_fetch_ended_reads_the_filled_cache_instead_of_fetching_again()
    {
        var held = _store.HoldNextLookup("RACE-1");
        var late = Client.GetAsync("/products/RACE-1"); // misses, then stalls before joining a flight
        await held.Reached.WaitAsync(TimeSpan.FromSeconds(10));

        using (var leader = await Client.GetAsync("/products/RACE-1")) // fetches, fills the cache, ends its flight
        {
            Assert.Equal("upstream", leader.Source());
        }

        held.Release();
        using var response = await late;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("cache", response.Source());
        Assert.Equal("""{"id":"RACE-1"}""", await response.Content.ReadAsStringAsync());
        Assert.Equal(1, Upstream.CallsTo("/products/RACE-1"));
    }

    [Fact]
    public async Task Cold_miss_with_no_flight_ending_meanwhile_looks_in_the_cache_once()
    {
        using var first = await Client.GetAsync("/products/COLD-1");
        using var second = await Client.GetAsync("/products/COLD-2");

        Assert.Equal("upstream", first.Source());
        Assert.Equal("upstream", second.Source());
        Assert.Equal(1, _store.Lookups("COLD-1"));
        Assert.Equal(1, _store.Lookups("COLD-2"));
    }

    [Fact]
    public async Task Flight_endings_are_seen_for_their_key_only_after_the_mark()
    {
        var flights = new SingleFlight<string>();
        var mark = flights.EndingsSeen("A");
        Assert.False(flights.EndedSince("A", mark));

        Assert.True(flights.Join("A", out var flight));
        Assert.False(flights.EndedSince("A", mark)); // joined, not ended
        flights.Complete("A", flight, "answer");

        Assert.True(flights.EndedSince("A", mark));
        Assert.False(flights.EndedSince("A", flights.EndingsSeen("A")));
        Assert.Equal("answer", await flight.Task);
        Assert.Equal(0, flights.InFlight);
    }

    /// <summary>Counts lookups per id; can hold one lookup's (already read) answer back until released.</summary>
    private sealed class HoldingCacheStore : IProductCacheStore
    {
        private readonly ConcurrentDictionary<string, int> _lookups = new();
        private readonly ConcurrentDictionary<string, Hold> _holds = new();
        private IProductCacheStore _inner = null!;

        public IProductCacheStore Around(IProductCacheStore inner)
        {
            _inner = inner;
            return this;
        }

        public Hold HoldNextLookup(string id) => _holds[id] = new Hold();

        public int Lookups(string id) => _lookups.GetValueOrDefault(id);

        public async ValueTask<CacheEntry?> GetAsync(string id, CancellationToken cancellationToken)
        {
            _lookups.AddOrUpdate(id, 1, (_, n) => n + 1);
            var entry = await _inner.GetAsync(id, cancellationToken);
            if (_holds.TryRemove(id, out var hold))
            {
                hold.Arrive();
                await hold.Released;
            }

            return entry;
        }

        public ValueTask SetAsync(string id, CacheEntry entry, TimeSpan timeToLive, CancellationToken cancellationToken) =>
            _inner.SetAsync(id, entry, timeToLive, cancellationToken);

        public ValueTask RemoveAsync(string id, CancellationToken cancellationToken) => _inner.RemoveAsync(id, cancellationToken);

        public ValueTask<string?> CheckDegradationAsync(CancellationToken cancellationToken) => _inner.CheckDegradationAsync(cancellationToken);
    }

    private sealed class Hold
    {
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Reached => _reached.Task;

        public Task Released => _released.Task;

        public void Arrive() => _reached.TrySetResult();

        public void Release() => _released.TrySetResult();
    }
}
