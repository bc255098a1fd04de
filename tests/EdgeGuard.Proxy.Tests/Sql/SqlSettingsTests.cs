using EdgeGuard.Proxy.Configuration;
using EdgeGuard.Proxy.Filtering.Sources;
using EdgeGuard.Proxy.Filtering.Sources.Sql;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using EdgeGuard.Proxy.Filtering;

namespace EdgeGuard.Proxy.Tests.Sql;

/// <summary>The checks of <c>EdgeGuard:Bloom:Sql</c> that need no database, and how the source is registered.</summary>
public sealed class SqlSettingsTests
{
    private static EdgeGuardOptions Options(Action<SqlSourceOptions> configure)
    {
        var options = new EdgeGuardOptions { Bloom = { ProductsFile = "", LoadFromCatalog = false } };
        configure(options.Bloom.Sql);
        return options;
    }

    private static IReadOnlyList<string> Failures(EdgeGuardOptions options) =>
        [.. Failures(new EdgeGuardOptionsValidator().Validate(null, options)),
         .. Failures(new FilterOptionsValidator(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build()).Validate(null, options))];

    private static IEnumerable<string> Failures(Microsoft.Extensions.Options.ValidateOptionsResult result) => result is { Failed: true } ? result.Failures! : [];

    [Theory]
    [InlineData("postgres", "Host=db.internal;Port=5432;Username=edgeguard;Password=x;Database=catalog")]
    [InlineData("POSTGRES", "Host=/var/run/postgresql;Database=catalog")]
    [InlineData("sqlite", "Data Source=/srv/catalog/products.db")]
    public void A_complete_section_is_valid_and_is_the_only_source_needed(string provider, string connectionString)
    {
        var options = Options(sql =>
        {
            sql.Provider = provider;
            sql.ConnectionString = connectionString;
            sql.Query = "SELECT sku FROM products";
            sql.IncrementalQuery = "SELECT sku, seq FROM products WHERE seq > COALESCE(@CURSOR, 0) ORDER BY seq";
        });

        Assert.Empty(Failures(options));
        Assert.True(options.Bloom.HasApiListingSource); // lists products created through the catalog's API
    }

    [Theory]
    [InlineData("oracle", "Host=x", "SELECT 1", null, "EdgeGuard:Bloom:Sql:Provider 'oracle' is not supported")]
    [InlineData("postgres", null, "SELECT 1", null, "EdgeGuard:Bloom:Sql:ConnectionString (or env EDGEGUARD_IDS_DB) is required")]
    [InlineData("postgres", "garbage", "SELECT 1", null, "EdgeGuard:Bloom:Sql:ConnectionString (or env EDGEGUARD_IDS_DB) is not a PostgreSQL connection string")]
    [InlineData("postgres", "Host=x;Frobnicate=1", "SELECT 1", null, "EdgeGuard:Bloom:Sql:ConnectionString")]
    [InlineData("postgres", "Database=catalog", "SELECT 1", null, "names no Host")]
    [InlineData("sqlite", "Data Source=x.db;Frobnicate=1", "SELECT 1", null, "is not a SQLite connection string")]
    [InlineData("sqlite", "Data Source=:memory:", "SELECT 1", null, "names no database file")]
    [InlineData("sqlite", "Mode=Memory;Data Source=x", "SELECT 1", null, "names no database file")]
    [InlineData("postgres", "Host=x", null, null, "EdgeGuard:Bloom:Sql:Query is required")]
    [InlineData("postgres", "Host=x", " ", null, "EdgeGuard:Bloom:Sql:Query is required")]
    [InlineData("postgres", "Host=x", "SELECT 1", "SELECT sku, seq FROM products ORDER BY seq", "EdgeGuard:Bloom:Sql:IncrementalQuery does not use the parameter @cursor")]
    [InlineData("postgres", "Host=x", "SELECT 1", "SELECT sku, seq FROM products WHERE seq > @cursors", "@cursor")]
    [InlineData(null, "Host=x", "SELECT 1", null, "EdgeGuard:Bloom:Sql:Provider is not set")]
    public void Bad_settings_are_refused_naming_them(string? provider, string? connectionString, string? query, string? incrementalQuery, string message)
    {
        var failures = Failures(Options(sql =>
        {
            sql.Provider = provider;
            sql.ConnectionString = connectionString;
            sql.Query = query;
            sql.IncrementalQuery = incrementalQuery;
        }));

        Assert.Contains(failures, failure => failure.Contains(message, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" ")]
    public void An_empty_incremental_query_means_no_polling(string? incrementalQuery)
    {
        var sql = new SqlSourceOptions { Provider = "sqlite", ConnectionString = "Data Source=/srv/products.db", Query = "SELECT sku FROM products", IncrementalQuery = incrementalQuery };

        using var source = SqlIdSource.Create(sql);

        Assert.Empty(Failures(Options(s => { s.Provider = sql.Provider; s.ConnectionString = sql.ConnectionString; s.Query = sql.Query; s.IncrementalQuery = incrementalQuery; })));
        Assert.False(source is IIncrementalIdSource);
    }

    [Fact]
    public void A_refused_connection_string_is_not_repeated()
    {
        var failures = Failures(Options(sql =>
        {
            sql.Provider = "postgres";
            sql.ConnectionString = "Host=x;Password=hunter2;Frobnicate=1";
            sql.Query = "SELECT 1";
        }));

        Assert.Single(failures);
        Assert.DoesNotContain("hunter2", failures[0]);
    }

    [Fact]
    public void Poll_interval_defaults_to_ten_seconds_and_is_range_checked()
    {
        var options = Options(sql => sql.PollInterval = TimeSpan.Zero);

        var result = new EdgeGuardOptionsAnnotationsValidator().Validate(null, options);

        Assert.Equal(TimeSpan.FromSeconds(10), new SqlSourceOptions().PollInterval);
        Assert.True(result.Failed);
        Assert.Contains("PollInterval", result.FailureMessage);
    }

    [Fact]
    public void Without_the_section_there_is_no_SQL_source_and_nothing_changes()
    {
        var options = new EdgeGuardOptions();

        Assert.Empty(Failures(options));
        Assert.False(options.Bloom.Sql.IsConfigured);
        Assert.True(options.Bloom.HasApiListingSource == options.Bloom.LoadFromCatalog);
    }

    [Fact]
    public void EDGEGUARD_IDS_DB_wins_over_the_section()
    {
        var options = Resolve(new Dictionary<string, string?>
        {
            ["EdgeGuard:Bloom:Sql:Provider"] = "postgres",
            ["EdgeGuard:Bloom:Sql:ConnectionString"] = "Host=from-section",
            ["EDGEGUARD_IDS_DB"] = "Host=from-env",
            ["EdgeGuard:Bloom:Sql:Query"] = "SELECT 1",
        }).GetRequiredService<IOptions<EdgeGuardOptions>>().Value;

        Assert.Equal("Host=from-env", options.Bloom.Sql.ConnectionString);
    }

    /// <summary>Registered after the file and the catalog stream; incremental only with an IncrementalQuery.</summary>
    [Theory]
    [InlineData(null, typeof(SqlIdSource))]
    [InlineData("SELECT sku, seq FROM products WHERE seq > @cursor ORDER BY seq", typeof(IncrementalSqlIdSource))]
    public void The_source_is_registered_last_when_a_provider_is_set(string? incrementalQuery, Type expected)
    {
        using var provider = Resolve(new Dictionary<string, string?>
        {
            ["PRODUCTS_FILE"] = "data/products.txt",
            ["EdgeGuard:Bloom:LoadFromCatalog"] = "true",
            ["EdgeGuard:Bloom:Sql:Provider"] = "sqlite",
            ["EDGEGUARD_IDS_DB"] = "Data Source=/nowhere/catalog.db",
            ["EdgeGuard:Bloom:Sql:Query"] = "SELECT sku FROM products",
            ["EdgeGuard:Bloom:Sql:IncrementalQuery"] = incrementalQuery,
        });

        var sources = provider.GetRequiredService<IdSourceSet>();

        Assert.Equal(["products-file", "catalog", "sql"], sources.All.Select(source => source.Name));
        Assert.IsType(expected, sources.All[^1]);
        Assert.Equal(expected == typeof(IncrementalSqlIdSource) ? 1 : 0, sources.Incremental.Count());
    }

    [Fact]
    public void No_provider_no_SQL_source()
    {
        using var provider = Resolve(new Dictionary<string, string?> { ["PRODUCTS_FILE"] = "data/products.txt" });

        Assert.DoesNotContain(provider.GetRequiredService<IdSourceSet>().All, source => source is SqlIdSource);
    }

    private static ServiceProvider Resolve(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddOptions<EdgeGuardOptions>().Bind(configuration.GetSection(EdgeGuardOptions.SectionName));
        services.AddSingleton<IPostConfigureOptions<EdgeGuardOptions>, EnvironmentAliases>();
        services.AddSingleton(new EdgeGuard.Filter.ProductIdRule(EdgeGuard.Filter.ProductIdRule.DefaultPattern));
        services.AddHttpClient();
        services.AddReverseProxy().LoadFromMemory([], []);
        services.AddSingleton<Filtering.CatalogDestination>();
        services.AddIdSources();
        services.AddSingleton<IdSourceSet>();
        return services.BuildServiceProvider();
    }
}
