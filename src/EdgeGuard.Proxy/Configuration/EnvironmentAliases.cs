namespace EdgeGuard.Proxy.Configuration;

/// <summary>
/// The contract's short environment variables (<c>PRODUCTS_FILE</c>, <c>REDIS_URL</c>,
/// <c>EDGEGUARD_IDS_DB</c>, <c>EDGEGUARD_INSTANCE_ID</c>, <c>EDGEGUARD_ADMIN_KEY</c>) win over the <c>EdgeGuard</c> section. Applied when options are built,
/// so settings a test host adds late are seen too.
/// </summary>
public sealed class EnvironmentAliases(IConfiguration configuration) : IPostConfigureOptions<EdgeGuardOptions>
{
    /// <summary>The variable naming the cluster's Redis (see <see cref="CacheLocation"/>).</summary>
    public const string RedisUrl = "REDIS_URL";

    public void PostConfigure(string? name, EdgeGuardOptions options)
    {
        if (configuration["PRODUCTS_FILE"] is { } productsFile)
        {
            options.Bloom.ProductsFile = productsFile;
        }

        if (configuration[RedisUrl] is { } redisUrl)
        {
            options.Cache.RedisUrl = redisUrl;
        }

        if (configuration[SqlSourceOptions.ConnectionStringVariable] is { Length: > 0 } idsDb)
        {
            options.Bloom.Sql.ConnectionString = idsDb;
        }

        if (configuration["EDGEGUARD_INSTANCE_ID"] is { Length: > 0 } instanceId)
        {
            options.Cluster.InstanceId = instanceId;
        }

        if (configuration["EDGEGUARD_ADMIN_KEY"] is { Length: > 0 } adminKey)
        {
            options.AdminKey = adminKey;
        }
    }
}
