using System.ComponentModel.DataAnnotations;
using EdgeGuard.Filter;

namespace EdgeGuard.Proxy.Configuration;

public sealed class BloomOptions
{
    [Range(1L, long.MaxValue)]
    public long ExpectedItems { get; set; } = BloomFilter.DefaultExpectedItems;

    [Range(0d, 1d, MinimumIsExclusive = true, MaximumIsExclusive = true)]
    public double FalsePositiveRate { get; set; } = BloomFilter.DefaultFalsePositiveRate;

    /// <summary><c>blocked</c> (an id's bits in one cache line: one memory access per lookup) or <c>standard</c>
    /// (a few percent smaller, k accesses per lookup); see <see cref="BloomLayoutSetting"/>.</summary>
    public string? Layout { get; set; } = BloomLayoutSetting.Default;

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

    /// <summary>Ids added (writes, announcements, polls) within this long before a rebuild stay in the rebuilt
    /// filter even when its sources do not list them yet: a read replica that lags behind the catalog, or an
    /// export older than them, cannot drop a product created a moment ago.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan RebuildGrace { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>When the sources hold more ids than <see cref="ExpectedItems"/>, the filter is sized for the
    /// real count times this.</summary>
    [Range(1d, 10d)]
    public double GrowthHeadroom { get; set; } = 1.25;

    /// <summary>Standalone (no Redis), where the filter is kept on disk between restarts (with a <c>.journal</c>
    /// beside it); empty for nowhere. In a cluster the snapshot is kept in Redis.</summary>
    public string? SnapshotPath { get; set; } = "data/edgeguard-filter.snapshot";

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
