namespace EdgeGuard.Proxy.Configuration;

/// <summary>
/// How this gateway runs, decided once from its configuration before anything is registered: standalone (the cache
/// embedded), or one instance of a cluster (<c>REDIS_URL</c>, or <c>EdgeGuard:Cache:RedisUrl</c>, names a Redis).
/// Only the services of that mode are registered.
/// </summary>
public static class GatewayMode
{
    public static bool IsClustered(IConfiguration configuration) =>
        CacheLocation.NamesRedis(configuration[EnvironmentAliases.RedisUrl] ?? configuration[$"{EdgeGuardOptions.SectionName}:Cache:RedisUrl"]);
}
