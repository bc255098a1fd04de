using EdgeGuard.Filter;

namespace EdgeGuard.Proxy.Filtering;

/// <summary>
/// The secret the filter's hashing is keyed with, so its false positives cannot be computed offline from a
/// list of ids: <c>EDGEGUARD_FILTER_KEY</c> (32 hex digits) when set; otherwise a random key made once per
/// cluster and kept in Redis, or, standalone, the key of the local snapshot (a new random one the first time).
/// A filter built with another key is rebuilt, never mixed: rotating the key means one rebuild.
/// </summary>
public sealed class FilterKeyProvider(IConfiguration configuration)
{
    public const string EnvironmentVariable = "EDGEGUARD_FILTER_KEY";

    private BloomFilterKey? _current;

    /// <summary>The key from the environment, if set (options validation refused an unparsable one).</summary>
    public BloomFilterKey? Configured =>
        BloomFilterKey.TryParse(configuration[EnvironmentVariable], out var key) ? key : null;

    /// <summary>The key filters are built with now.</summary>
    public BloomFilterKey Current => _current ?? throw new InvalidOperationException("The filter key is not resolved yet.");

    public bool IsResolved => _current is not null;

    /// <summary>The configured key, else the cluster's (made now if no instance made one yet).</summary>
    /// <param name="ensureClusterKey">Stores a candidate key (hex) as the cluster's unless it has one, and returns the cluster's.</param>
    public async Task<BloomFilterKey> ResolveForClusterAsync(Func<string, Task<string>> ensureClusterKey)
    {
        var key = Configured ?? BloomFilterKey.Parse(await ensureClusterKey(BloomFilterKey.NewRandom().ToHex()).ConfigureAwait(false));
        _current = key;
        return key;
    }

    /// <summary>The configured key, else the local snapshot's, else a new random one (kept with the next snapshot).</summary>
    public BloomFilterKey ResolveLocal(BloomFilterKey? fromSnapshot)
    {
        var key = Configured ?? fromSnapshot ?? BloomFilterKey.NewRandom();
        _current = key;
        return key;
    }
}
