using ZiggyCreatures.Caching.Fusion;

namespace EdgeGuard.Proxy.Tests;

/// <summary>
/// <c>X-EdgeGuard-Source: stale</c> (and <c>edgeguard_stale_served_total</c>, which an alert watches) means an answer
/// served past its freshness because the catalog failed. FusionCache dates an entry's expiry from when it stores the
/// entry, after the fill returned; the answer's freshness counts from when it arrived. Told the whole time left, the
/// cache held an answer fresh a moment past its freshness, and the answers read then were labelled and counted stale
/// with a healthy catalog (79, 18 and 58 on three instances in 30 s of the stampede benchmark). So a fill's entry is
/// stored short of its freshness by a margin for that lag.
/// </summary>
public sealed class StaleLabelTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(60_000, 59_900)] // most entries: 100 ms short
    [InlineData(2_000, 1_900)]
    [InlineData(500, 450)] // short ones (a max-age of a second or less): a tenth short
    public void Entry_is_stored_short_of_its_freshness_by_a_margin_for_the_cache_storing_it_later(int freshMs, int storedMs)
    {
        var policy = new CachePolicy(Options.Create(new EdgeGuardOptions()));
        var entry = new CacheEntry(CacheEntryKind.Answer, 200, [], "{}"u8.ToArray(), Now, Now.AddMilliseconds(freshMs), 0);
        var options = policy.CreateDefaultEntryOptions(hasDistributedCache: true);

        policy.Apply(entry, Now, options);

        Assert.Equal(TimeSpan.FromMilliseconds(storedMs), options.Duration);
        Assert.True(options.MemoryCacheDuration <= options.Duration, $"memory keeps it {options.MemoryCacheDuration}"); // nor memory any longer
    }

    [Fact]
    public void Time_already_spent_since_the_answer_arrived_is_not_given_again()
    {
        var policy = new CachePolicy(Options.Create(new EdgeGuardOptions()));
        var entry = new CacheEntry(CacheEntryKind.Answer, 200, [], "{}"u8.ToArray(), Now, Now.AddSeconds(60), 0);
        var options = new FusionCacheEntryOptions();

        policy.Apply(entry, Now.AddSeconds(30), options); // an entry adopted from another instance half-way through its life

        Assert.Equal(TimeSpan.FromSeconds(30) - CachePolicy.MaxStoreLag, options.Duration);
    }

    [Fact]
    public void Entry_with_no_freshness_left_is_stored_for_the_least_time_there_is()
    {
        Assert.Equal(TimeSpan.FromTicks(1), CachePolicy.StoredFor(TimeSpan.Zero));
        Assert.Equal(TimeSpan.FromTicks(1), CachePolicy.StoredFor(TimeSpan.FromSeconds(-1)));
    }
}
