namespace EdgeGuard.Proxy.Tests.Sql;

/// <summary>
/// A bad SQL source configuration stops the real gateway process with exit code 2 and a message on stderr that
/// names the setting, without a stack trace; a query is judged by the database itself when it is reachable.
/// </summary>
[Integration]
[Collection(PostgresCollection.Name)]
public sealed class SqlStartupErrorTests(PostgresFixture postgres)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Unknown_provider_is_refused()
    {
        var outcome = await GatewayProcess.RunUntilExitAsync(
            SqlGatewayEnvironment.SqlOnly("oracle", "Host=127.0.0.1", SqlSources.Query), Timeout);

        GatewayProcess.AssertRefused(outcome, "EdgeGuard:Bloom:Sql:Provider");
        Assert.Contains("'oracle'", outcome.StandardError);
    }

    [Theory]
    [InlineData("this is not a connection string")]
    [InlineData("Host=127.0.0.1;Password=hunter2;Frobnicate=yes")]
    [InlineData("Host=127.0.0.1;Port=not-a-port;Password=hunter2")]
    [InlineData("Username=edgeguard;Password=hunter2")]
    public async Task Connection_string_that_is_not_one_is_refused_without_repeating_it(string connectionString)
    {
        var outcome = await GatewayProcess.RunUntilExitAsync(SqlGatewayEnvironment.SqlOnly("postgres", connectionString, SqlSources.Query), Timeout);

        GatewayProcess.AssertRefused(outcome, "EdgeGuard:Bloom:Sql:ConnectionString");
        Assert.Contains("EDGEGUARD_IDS_DB", outcome.StandardError);
        Assert.DoesNotContain("hunter2", outcome.StandardError + outcome.StandardOutput);
    }

    [Theory]
    [InlineData("SELEC sku FROM products", null, "EdgeGuard:Bloom:Sql:Query")]
    [InlineData("SELECT sku FROM products", "SELECT sku, seq FROM products WHERE seq > @cursor ORDER BY", "EdgeGuard:Bloom:Sql:IncrementalQuery")]
    [InlineData("SELECT sku FROM products", "SELECT sku, seq FROM products WHERE (@cursor IS NULL OR seq > @cursor) ORDER BY seq", "EdgeGuard:Bloom:Sql:IncrementalQuery")]
    [InlineData("SELECT sku FROM products", "SELECT sku, seq FROM products ORDER BY seq", "EdgeGuard:Bloom:Sql:IncrementalQuery")]
    public async Task Query_the_database_refuses_is_refused_while_it_is_up(string query, string? incrementalQuery, string setting)
    {
        var database = await postgres.CreateCatalogAsync();

        var outcome = await GatewayProcess.RunUntilExitAsync(
            SqlGatewayEnvironment.SqlOnly("postgres", postgres.ReaderConnectionString(database), query, incrementalQuery), Timeout);

        GatewayProcess.AssertRefused(outcome, setting);
    }

    [Fact]
    public async Task Sql_settings_without_a_provider_are_refused()
    {
        var environment = SqlGatewayEnvironment.SqlOnly("", "Host=127.0.0.1", SqlSources.Query);
        environment.Remove("EdgeGuard__Bloom__Sql__Provider");
        environment["PRODUCTS_FILE"] = "data/products.txt";

        var outcome = await GatewayProcess.RunUntilExitAsync(environment, Timeout);

        GatewayProcess.AssertRefused(outcome, "EdgeGuard:Bloom:Sql:Provider");
    }
}
