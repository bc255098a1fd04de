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

    [Required, ValidateObjectMembers]
    public ClusterOptions Cluster { get; set; } = new();

    /// <summary>Per-client budget of requests that reach the catalog; off while its rate is unset.</summary>
    [Required]
    public ClientBudgetOptions ClientBudget { get; set; } = new();
}

/// <summary>
/// The <c>EdgeGuard:ClientBudget</c> section: how many requests that reach the catalog (cache misses, requests
/// forwarded as they are) each client may cause, and who the client is. Checked by <c>ClientBudgetSettings</c>.
/// </summary>
public sealed class ClientBudgetOptions
{
    public const string SectionPath = "EdgeGuard:ClientBudget";

    /// <summary>Catalog requests per second one client may cause, on average; unset (the default) turns the budget off.
    /// 100 suits a public edge.</summary>
    public double? UpstreamPerSecond { get; set; }

    /// <summary>Catalog requests one client may cause at once after a quiet spell; default twice <see cref="UpstreamPerSecond"/>.</summary>
    public int? Burst { get; set; }

    /// <summary>Networks (CIDR) never limited: the gateway's own backend-for-frontend, monitoring, batch jobs.</summary>
    public List<string> ExemptNetworks { get; set; } = [];

    /// <summary>Addresses of reverse proxies in front of the gateway whose <c>X-Forwarded-For</c> is believed.</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Networks (CIDR) of such proxies.</summary>
    public List<string> KnownNetworks { get; set; } = [];

    public bool IsOn => UpstreamPerSecond is not null;

    /// <summary>True when some proxy's <c>X-Forwarded-For</c> is believed.</summary>
    public bool TrustsProxies => KnownProxies.Count > 0 || KnownNetworks.Count > 0;

    /// <summary>The burst in effect: <see cref="Burst"/>, else twice the rate (at least 1).</summary>
    public int EffectiveBurst => Burst ?? (int)Math.Clamp(Math.Ceiling(2 * (UpstreamPerSecond ?? 0)), 1, int.MaxValue);
}

/// <summary>The <c>EdgeGuard:Cluster</c> section: gateways that share one <c>REDIS_URL</c> form one cluster.</summary>
public sealed class ClusterOptions
{
    /// <summary>Names the cluster's keys in Redis (all under the hash tag <c>{Name}</c>) and its channels, so
    /// several clusters can share one Redis.</summary>
    [Required, RegularExpression("^[A-Za-z0-9_.-]{1,64}$", ErrorMessage = "EdgeGuard:Cluster:Name is 1 to 64 letters, digits, '_', '.' or '-'.")]
    public string Name { get; set; } = "edgeguard";

    /// <summary>This instance's id in the cluster (env <c>EDGEGUARD_INSTANCE_ID</c>); default host name and port.</summary>
    public string? InstanceId { get; set; }

    /// <summary>How often a member renews its membership and reports how far it applied the log.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A member that has not renewed its membership for this long is dropped, and stops trusting its own
    /// filter and cache at the same moment: writes may then complete without it. Writes wait up to this long for a
    /// member that died without leaving.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan MembershipTtl { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a write (or an announcement of ids) waits for every live member to confirm it before it
    /// is refused with 503.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan AnnounceTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often the log is read when no doorbell rang (pub/sub is a hint; the stream is the truth).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:10")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Entries the log keeps at least (XADD MAXLEN ~): how far back an instance may fall and still catch up.</summary>
    [Range(1_000, 100_000_000)]
    public int LogMaxLength { get; set; } = 100_000;

    /// <summary>A write begun this long ago and never ended (its writer died) is settled by the leader, from what
    /// the catalog says.</summary>
    [Range(typeof(TimeSpan), "00:00:05", "01:00:00")]
    public TimeSpan WriteDeadline { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The leader's lease (rebuilds, snapshots, polls, settling orphaned writes); renewed at a third of it.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan LeaderLeaseTtl { get; set; } = TimeSpan.FromSeconds(15);
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

    /// <summary>The last good answer for an id is served (stale) while the catalog fails, for at most this long
    /// after it was fetched.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan FailSafeMaxAge { get; set; } = TimeSpan.FromHours(1);

    /// <summary>After the catalog failed a fetch, the stale answer is served this long before the catalog is asked again.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan FailSafeThrottle { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A fetch that takes longer while a stale answer exists serves it at once and completes in the background.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan SoftTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A fetch that takes longer fails (504) whatever the cache holds.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan HardTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A hit past this share of the entry's lifetime refreshes it in the background, so readers of a hot
    /// id never wait for the catalog. Empty for never.</summary>
    [Range(0.5d, 0.99d)]
    public float? EagerRefreshThreshold { get; set; } = 0.9f;

    /// <summary>With Redis, how long an entry stays in this instance's memory before it is read from Redis again:
    /// a backstop for the backplane, which keeps memories coherent.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan MemoryTtl { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>With Redis, how long a miss waits for another instance's fetch of the same id (one fetch per
    /// expiry across the cluster) before fetching itself.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan DistributedLockTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long the circuit stays open after Redis fails, before one call probes it again.</summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "00:10:00")]
    public TimeSpan RedisBreakDuration { get; set; } = TimeSpan.FromSeconds(5);
}
