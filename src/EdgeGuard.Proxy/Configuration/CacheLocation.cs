using System.Diagnostics.CodeAnalysis;
using StackExchange.Redis;

namespace EdgeGuard.Proxy.Configuration;

/// <summary>
/// Where the cache lives, parsed from <c>REDIS_URL</c>: embedded (unset or <c>memory://</c>) or Redis
/// (<c>redis://[user:password@]host:port[/db]</c>, <c>rediss://</c> for TLS, or Sentinels that name the primary:
/// <c>redis-sentinel://[:password@]host:port[,host:port…][/db]#serviceName</c>, see <see cref="SentinelUrl"/>).
/// StackExchange.Redis has its own "host:port,password=…" syntax; this maps the URL form users and scripts pass onto it.
/// </summary>
public sealed record CacheLocation(ConfigurationOptions? Redis)
{
    public static CacheLocation Embedded { get; } = new((ConfigurationOptions?)null);

    public bool IsEmbedded => Redis is null;

    /// <summary>True when <paramref name="url"/> asks for Redis (valid or not), false for the embedded cache.</summary>
    public static bool NamesRedis([NotNullWhen(true)] string? url) => !string.IsNullOrWhiteSpace(url) && url.Trim() != "memory://";

    public static bool TryParse(string? url, [NotNullWhen(true)] out CacheLocation? location, [NotNullWhen(false)] out string? error)
    {
        location = null;
        error = null;
        if (!NamesRedis(url))
        {
            location = Embedded;
            return true;
        }

        if (url.Trim().StartsWith(SentinelUrl.Scheme, StringComparison.OrdinalIgnoreCase))
        {
            if (!SentinelUrl.TryParse(url.Trim(), out var sentinel, out error))
            {
                return false;
            }

            location = new CacheLocation(sentinel);
            return true;
        }

        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("redis" or "rediss"))
        {
            error = "must be memory://, redis://[user:password@]host:port[/db] (or rediss://), or redis-sentinel://host:port[,host:port…][/db]#serviceName.";
            return false;
        }

        if (string.IsNullOrEmpty(uri.Host))
        {
            error = "has no host.";
            return false;
        }

        var redis = new ConfigurationOptions { Ssl = uri.Scheme == "rediss" };
        redis.EndPoints.Add(uri.Host, uri.IsDefaultPort || uri.Port < 0 ? 6379 : uri.Port);
        RedisUserInfo.Apply(uri.UserInfo, redis);

        var path = uri.AbsolutePath.Trim('/');
        if (path.Length > 0)
        {
            if (!int.TryParse(path, out var db) || db < 0)
            {
                error = $"has database '{path}', which is not a non-negative number.";
                return false;
            }

            redis.DefaultDatabase = db;
        }

        location = new CacheLocation(redis);
        return true;
    }
}
