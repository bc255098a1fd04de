namespace EdgeGuard.Proxy.Tests.Sql;

/// <summary>Environments for the real gateway process (<see cref="Infrastructure.GatewayProcess"/>) with the catalog's database as a source.</summary>
public static class SqlGatewayEnvironment
{
    /// <summary>Settings of a gateway whose only source is the database (no products file, no catalog listing).</summary>
    public static Dictionary<string, string?> SqlOnly(string provider, string connectionString, string query, string? incrementalQuery = null)
    {
        var environment = new Dictionary<string, string?>
        {
            ["PRODUCTS_FILE"] = "",
            ["EdgeGuard__Bloom__LoadFromCatalog"] = "false",
            ["EdgeGuard__Bloom__Sql__Provider"] = provider,
            ["EDGEGUARD_IDS_DB"] = connectionString,
            ["EdgeGuard__Bloom__Sql__Query"] = query,
        };
        if (incrementalQuery is not null)
        {
            environment["EdgeGuard__Bloom__Sql__IncrementalQuery"] = incrementalQuery;
        }

        return environment;
    }
}
