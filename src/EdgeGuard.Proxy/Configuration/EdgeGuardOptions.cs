using System.ComponentModel.DataAnnotations;
using EdgeGuard.Filter;
using Microsoft.Extensions.Options;

namespace EdgeGuard.Proxy.Configuration;

/// <summary>The <c>EdgeGuard</c> configuration section, validated at start-up.</summary>
public sealed class EdgeGuardOptions
{
    public const string SectionName = "EdgeGuard";

    /// <summary>Which strings are product ids; everything else is answered 400 at the edge.</summary>
    [Required]
    public string IdPattern { get; set; } = ProductIdRule.DefaultPattern;

    /// <summary>Key for the mutating admin endpoints (env <c>EDGEGUARD_ADMIN_KEY</c>); none refuses them.</summary>
    public string? AdminKey { get; set; }

    [Required, ValidateObjectMembers]
    public BloomOptions Bloom { get; set; } = new();

    [Required, ValidateObjectMembers]
    public CacheOptions Cache { get; set; } = new();

    [Required, ValidateObjectMembers]
    public WriteOptions Writes { get; set; } = new();
}

/// <summary>The <c>EdgeGuard:Writes</c> section: how writes through the gateway are kept safe for reads.</summary>
public sealed class WriteOptions
{
    /// <summary>Ids whose writes may be in flight at once; past this, writes are refused with 503 (the pending set
    /// is exact and kept in memory, so it is bounded).</summary>
    [Range(1, 1_000_000)]
    public int MaxPending { get; set; } = Filtering.ProductFilter.DefaultMaxPending;

    /// <summary>Path template of the catalog's product read, used to learn the outcome of a write whose answer
    /// never arrived (<c>{id}</c> is replaced by the escaped id).</summary>
    [Required]
    public string VerifyPath { get; set; } = "/products/{id}";

    /// <summary>Longest wait between attempts to learn such a write's outcome while the catalog cannot say.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan MaxVerifyDelay { get; set; } = TimeSpan.FromSeconds(10);
}

public sealed class BloomOptions
{
    [Range(1L, long.MaxValue)]
    public long ExpectedItems { get; set; } = BloomFilter.DefaultExpectedItems;

    [Range(0d, 1d, MinimumIsExclusive = true, MaximumIsExclusive = true)]
    public double FalsePositiveRate { get; set; } = BloomFilter.DefaultFalsePositiveRate;

    /// <summary>The products file the filter is built from (env <c>PRODUCTS_FILE</c>); empty for none.</summary>
    public string? ProductsFile { get; set; } = "data/products.txt";

    /// <summary>Also stream every id from the catalog (<see cref="CatalogIdsPath"/> on the catalog cluster).
    /// The catalog is the source of truth: products created through its API since the file was written are
    /// only known from there, so a restart cannot forget them.</summary>
    public bool LoadFromCatalog { get; set; } = true;

    [Required]
    public string CatalogCluster { get; set; } = "catalog";

    [Required]
    public string CatalogIdsPath { get; set; } = "/products/ids";

    /// <summary>Rebuild from the sources this often, to learn of products created behind the gateway's
    /// back and forget deleted ones; unset (null) for never (then only <c>POST /bloom/reload</c> rebuilds).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan? ReloadInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A rebuild that would hold fewer ids than the filter in use by more than this share is refused
    /// (a half-read source is not a catalog); an admin reload with <c>?force=true</c> overrides it.</summary>
    [Range(0d, 1d)]
    public double MaxShrinkShare { get; set; } = 0.10;

    /// <summary>When the sources hold more ids than <see cref="ExpectedItems"/>, the filter is sized for the
    /// real count times this.</summary>
    [Range(1d, 10d)]
    public double GrowthHeadroom { get; set; } = 1.25;

    /// <summary>The catalog's own database as a source (<c>EdgeGuard:Bloom:Sql</c>); off while its <c>Provider</c> is unset.</summary>
    [Required, ValidateObjectMembers]
    public SqlSourceOptions Sql { get; set; } = new();

    /// <summary>True when a source lists products created through the catalog's API, not only a file export
    /// (the catalog's id stream, or the catalog's database).</summary>
    public bool HasApiListingSource => LoadFromCatalog || Sql.IsConfigured;

    /// <summary>Longest wait between retries while the first load cannot reach a source.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// The <c>EdgeGuard:Bloom:Sql</c> section: ids read from the catalog's own database (a read replica), in full
/// at start and at each rebuild, and new ones every <see cref="PollInterval"/>.
/// </summary>
public sealed class SqlSourceOptions
{
    public const string SectionPath = "EdgeGuard:Bloom:Sql";

    /// <summary>The short environment variable for <see cref="ConnectionString"/>; it wins over the section.</summary>
    public const string ConnectionStringVariable = "EDGEGUARD_IDS_DB";

    /// <summary><c>postgres</c> or <c>sqlite</c>; unset: no SQL source.</summary>
    public string? Provider { get; set; }

    /// <summary>An ADO.NET connection string for the provider (env <c>EDGEGUARD_IDS_DB</c> wins).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>A query returning one column: every product id, each once (a primary key).</summary>
    public string? Query { get; set; }

    /// <summary>Optional: a query taking <c>@cursor</c> (NULL on the first poll: "from the beginning") and
    /// returning rows <c>(id, cursor)</c> in cursor order, only those after the cursor.</summary>
    public string? IncrementalQuery { get; set; }

    /// <summary>How often <see cref="IncrementalQuery"/> is run.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "1.00:00:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(10);

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Provider);

    /// <summary>True when any setting of the section is given (a section without a provider is a mistake).</summary>
    public bool IsMentioned =>
        IsConfigured || !string.IsNullOrWhiteSpace(ConnectionString) || !string.IsNullOrWhiteSpace(Query) || !string.IsNullOrWhiteSpace(IncrementalQuery);
}

public sealed class CacheOptions
{
    /// <summary>Cache location (env <c>REDIS_URL</c>): unset or <c>memory://</c> embedded,
    /// <c>redis://[user:password@]host:port[/db]</c> or <c>rediss://</c> for Redis.</summary>
    public string? RedisUrl { get; set; }

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan PositiveTtl { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Short on purpose: a negative entry may hide a product created behind the gateway's back.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan NegativeTtl { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Up to this much is taken off each negative TTL at random, so a burst of misses does not
    /// expire, and come back to the catalog, all in the same second.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan NegativeTtlJitter { get; set; } = TimeSpan.FromSeconds(10);

    [Range(1, 16 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 64 * 1024;

    /// <summary>Entries the embedded cache holds at most, so an attacker cannot grow it without bound.</summary>
    [Range(1L, long.MaxValue)]
    public long MemoryEntryLimit { get; set; } = 100_000;

    /// <summary>Longest a Redis call may take before the request goes on without the cache.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:00:30")]
    public TimeSpan RedisTimeout { get; set; } = TimeSpan.FromMilliseconds(100);

    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan RedisConnectTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long the circuit stays open after Redis fails, before one call probes it again.</summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "00:10:00")]
    public TimeSpan RedisBreakDuration { get; set; } = TimeSpan.FromSeconds(5);
}
