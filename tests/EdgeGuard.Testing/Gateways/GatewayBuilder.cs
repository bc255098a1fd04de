using System.Collections.Immutable;
using System.Globalization;
using EdgeGuard.Testing.Redis;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeGuard.Testing.Gateways;

/// <summary>
/// What a test gateway is: its catalog, where its ids come from, its Redis, its settings. Immutable: each
/// <c>With…</c> returns a new builder, so one builder can stand up several gateways alike (instances of a cluster, a
/// restart) and a test can vary one it was given. Settings are configuration keys (<c>EdgeGuard:Cache:PositiveTtl</c>;
/// <c>EdgeGuard__Cache__PositiveTtl</c> means the same); a process gets them as environment variables.
/// </summary>
public sealed class GatewayBuilder
{
    internal static readonly GatewayBuilder Empty = new();

    private ImmutableDictionary<string, string?> _settings = ImmutableDictionary.Create<string, string?>(StringComparer.OrdinalIgnoreCase);
    private string _upstream = "http://127.0.0.1:9"; // the discard port: nothing listens on loopback
    private IReadOnlyList<string>? _ids;
    private bool _idsElsewhere;

    private GatewayBuilder()
    {
    }

    /// <summary>The clock an in-process gateway runs on (null: the system's).</summary>
    public TimeProvider? Time { get; private init; }

    /// <summary>Service replacements for an in-process gateway, applied after its own registrations.</summary>
    public ImmutableList<Action<IServiceCollection>> Services { get; private init; } = [];

    /// <summary>Where a gateway process listens and how it is started (default: loopback, started directly).</summary>
    public GatewayPlacement Placement { get; private set; } = GatewayPlacement.Loopback;

    /// <summary>The port a gateway process listens on (null: a free loopback port).</summary>
    public int? Port { get; private set; }

    /// <summary>Where a gateway process runs (null: the repository root, its snapshot in a directory of its own).</summary>
    public string? WorkingDirectory { get; private set; }

    /// <summary>The catalog the gateway forwards to (<c>UPSTREAM_URL</c>).</summary>
    public GatewayBuilder WithUpstream(string url) => With(builder => builder._upstream = url);

    /// <summary>The filter is built from a products file holding <paramref name="ids"/> (as well as any other source named).</summary>
    public GatewayBuilder WithIds(IEnumerable<string> ids) => With(builder => builder._ids = [.. ids]);

    /// <summary>The filter is built from the catalog's id list (with no products file, unless <see cref="WithIds"/> names one).</summary>
    public GatewayBuilder LoadingFromCatalog() => With(builder => builder._idsElsewhere = true)
        .WithSetting("EdgeGuard:Bloom:LoadFromCatalog", "true")
        .WithSetting("EdgeGuard:Bloom:MaxRetryDelay", Text(Gateways.MaxRetryDelay));

    /// <summary>The filter is built from the catalog's database (with no products file, unless <see cref="WithIds"/> names one).</summary>
    public GatewayBuilder WithSql(string? provider, string connectionString, string query, string? incrementalQuery = null) =>
        With(builder => builder._idsElsewhere = true)
            .WithSetting("EdgeGuard:Bloom:Sql:Provider", provider)
            .WithSetting("EDGEGUARD_IDS_DB", connectionString)
            .WithSetting("EdgeGuard:Bloom:Sql:Query", query)
            .WithSetting("EdgeGuard:Bloom:Sql:IncrementalQuery", incrementalQuery);

    /// <summary>The cache's L2 and the cluster's Redis (<c>REDIS_URL</c>), with the tests' generous Redis timeouts.</summary>
    public GatewayBuilder WithRedis(string redisUrl) => WithSetting("REDIS_URL", redisUrl)
        .WithSetting("EdgeGuard:Cache:RedisTimeout", Text(Gateways.RedisTimeout))
        .WithSetting("EdgeGuard:Cache:RedisBreakDuration", Text(Gateways.RedisBreakDuration));

    /// <inheritdoc cref="WithRedis(string)"/>
    public GatewayBuilder WithRedis(RedisServer redis) => WithRedis(redis.Url);

    /// <summary>The cluster's timings shortened so that outages play out in seconds (heartbeats 200 ms apart, membership <see cref="Gateways.MembershipTtl"/>).</summary>
    public GatewayBuilder WithClusterTimings() => this
        .WithSetting("EdgeGuard:Cluster:HeartbeatInterval", "00:00:00.200")
        .WithSetting("EdgeGuard:Cluster:MembershipTtl", Text(Gateways.MembershipTtl))
        .WithSetting("EdgeGuard:Cluster:AnnounceTimeout", "00:00:01")
        .WithSetting("EdgeGuard:Cluster:LeaderLeaseTtl", "00:00:03")
        .WithSetting("EdgeGuard:Cluster:PollInterval", "00:00:00.100");

    /// <summary>The cluster's own Redis commands (heartbeats, leader leases, polls of the filter stream) made rare, for
    /// tests that count the commands a request sends.</summary>
    public GatewayBuilder WithQuietCluster() => this
        .WithSetting("EdgeGuard:Cluster:HeartbeatInterval", "00:01:00")
        .WithSetting("EdgeGuard:Cluster:MembershipTtl", "00:05:00")
        .WithSetting("EdgeGuard:Cluster:LeaderLeaseTtl", "00:05:00")
        .WithSetting("EdgeGuard:Cluster:PollInterval", "00:00:10");

    /// <summary>Cache entries live one second (answers and negatives alike, no jitter, no eager refresh), for tests on the real clock.</summary>
    public GatewayBuilder WithOneSecondTtls() => this
        .WithSetting("EdgeGuard:Cache:PositiveTtl", "00:00:01")
        .WithSetting("EdgeGuard:Cache:NegativeTtl", "00:00:01")
        .WithSetting("EdgeGuard:Cache:NegativeTtlJitter", "00:00:00")
        .WithSetting("EdgeGuard:Cache:EagerRefreshThreshold", "");

    /// <summary>The instance's name in its cluster (<c>EDGEGUARD_INSTANCE_ID</c>).</summary>
    public GatewayBuilder WithInstanceId(string instanceId) => WithSetting("EDGEGUARD_INSTANCE_ID", instanceId);

    /// <summary>One setting, over whatever the builder set for it; null: not set at all (the gateway's default).</summary>
    public GatewayBuilder WithSetting(string key, string? value) =>
        With(builder => builder._settings = builder._settings.SetItem(key.Replace("__", ":", StringComparison.Ordinal), value));

    /// <summary>Each of <paramref name="settings"/>, as <see cref="WithSetting"/> does.</summary>
    public GatewayBuilder WithSettings(IEnumerable<KeyValuePair<string, string?>>? settings) =>
        (settings ?? []).Aggregate(this, (builder, setting) => builder.WithSetting(setting.Key, setting.Value));

    /// <summary>The in-process gateway runs on <paramref name="time"/>.</summary>
    public GatewayBuilder WithTime(TimeProvider time) => new(this) { Time = time };

    /// <summary>Replaces services of the in-process gateway (after its own registrations).</summary>
    public GatewayBuilder WithServices(Action<IServiceCollection> services) => new(this) { Services = Services.Add(services) };

    /// <summary>
    /// The process runs in <paramref name="workingDirectory"/>, and keeps its filter snapshot where an operator's would be
    /// (the default path, relative to it): successive gateways in one directory are restarts of one.
    /// </summary>
    public GatewayBuilder InDirectory(string workingDirectory) => With(builder => builder.WorkingDirectory = workingDirectory);

    /// <summary>The process listens on <paramref name="port"/> at <paramref name="placement"/>'s address and is started by its
    /// launcher (a network namespace of its own, for the fault harness).</summary>
    public GatewayBuilder At(GatewayPlacement placement, int port) => With(builder =>
    {
        builder.Placement = placement;
        builder.Port = port;
    });

    /// <summary>Starts the gateway as a process of its own on a free loopback port (or where <see cref="At"/> put it) (see <see cref="GatewayProcess"/>); does not wait for it.</summary>
    public GatewayProcess AsProcess()
    {
        if (Time is not null || !Services.IsEmpty)
        {
            throw new InvalidOperationException("A gateway process runs on its own clock and services: WithTime and WithServices are for in-process gateways.");
        }

        var files = CreateFiles();
        var environment = Configuration(files).ToDictionary(setting => setting.Key.Replace(":", "__", StringComparison.Ordinal), setting => setting.Value);
        return GatewayProcess.Start(environment, files, WorkingDirectory, Placement, Port);
    }

    /// <summary>Runs the gateway as a process until it exits by itself (it should refuse to start); its exit code and output.</summary>
    public async Task<(int ExitCode, string StandardOutput, string StandardError)> RunUntilExitAsync(TimeSpan timeout)
    {
        await using var gateway = AsProcess();
        var exitCode = await gateway.WaitForExitAsync(timeout);
        return (exitCode, gateway.StandardOutput, gateway.StandardError);
    }

    /// <summary>Runs the gateway as a process and checks that it refuses to start as an operator should see it (<see cref="GatewayProcess.AssertRefused"/>).</summary>
    public async Task<(int ExitCode, string StandardOutput, string StandardError)> AssertRefusedAsync(string setting)
    {
        var outcome = await RunUntilExitAsync(TimeSpan.FromSeconds(60));
        GatewayProcess.AssertRefused(outcome, setting);
        return outcome;
    }

    /// <summary>A directory of the gateway's own, holding its products file; for the ends that stand a gateway up.</summary>
    public GatewayFiles CreateFiles() => GatewayFiles.Create(_ids ?? []);

    /// <summary>The gateway's configuration: what every test gateway has, then what this builder added (null values left out).</summary>
    public IReadOnlyDictionary<string, string?> Configuration(GatewayFiles files)
    {
        var configuration = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["UPSTREAM_URL"] = _upstream,
            ["PRODUCTS_FILE"] = _ids is null && _idsElsewhere ? "" : files.ProductsFile,
            ["EdgeGuard:Bloom:LoadFromCatalog"] = "false",
            ["EDGEGUARD_ADMIN_KEY"] = Gateways.AdminKey,
            // This gateway's own snapshot, never another test's (or, in a working directory, where an operator's would be).
            ["EdgeGuard:Bloom:SnapshotPath"] = WorkingDirectory is null ? files.SnapshotFile : null,
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in _settings)
        {
            configuration[key] = value;
        }

        return configuration.Where(setting => setting.Value is not null).ToDictionary(StringComparer.OrdinalIgnoreCase);
    }

    private GatewayBuilder(GatewayBuilder other)
    {
        _settings = other._settings;
        _upstream = other._upstream;
        _ids = other._ids;
        _idsElsewhere = other._idsElsewhere;
        WorkingDirectory = other.WorkingDirectory;
        Placement = other.Placement;
        Port = other.Port;
        Time = other.Time;
        Services = other.Services;
    }

    private GatewayBuilder With(Action<GatewayBuilder> change)
    {
        var copy = new GatewayBuilder(this);
        change(copy);
        return copy;
    }

    private static string Text(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);
}
