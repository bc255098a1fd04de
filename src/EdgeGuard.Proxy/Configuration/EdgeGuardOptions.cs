using System.ComponentModel.DataAnnotations;
using EdgeGuard.Filter;

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

    [Required, ValidateObjectMembers]
    public ClusterOptions Cluster { get; set; } = new();

    /// <summary>Per-client budget of requests that reach the catalog; off while its rate is unset.</summary>
    [Required]
    public ClientBudgetOptions ClientBudget { get; set; } = new();
}

/// <summary>The <c>EdgeGuard:Writes</c> section: how writes through the gateway are kept safe for reads.</summary>
public sealed class WriteOptions
{
    /// <summary>The default bound of writes in flight (the pending set of the filter).</summary>
    public const int DefaultMaxPending = 10_000;

    /// <summary>Ids whose writes may be in flight at once; past this, writes are refused with 503 (the pending set
    /// is exact and kept in memory, so it is bounded).</summary>
    [Range(1, 1_000_000)]
    public int MaxPending { get; set; } = DefaultMaxPending;

    /// <summary>Path template of the catalog's product read, used to learn the outcome of a write whose answer
    /// never arrived (<c>{id}</c> is replaced by the escaped id).</summary>
    [Required]
    public string VerifyPath { get; set; } = "/products/{id}";

    /// <summary>How long a write the gateway gave up on (no answer came back) may still commit inside the catalog:
    /// a 404 for it counts as "the write did not happen" only when the catalog still says so this much later.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan SettleTime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest wait between attempts to learn such a write's outcome while the catalog cannot say.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan MaxVerifyDelay { get; set; } = TimeSpan.FromSeconds(10);
}
