using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using StackExchange.Redis;

namespace EdgeGuard.Proxy.Configuration;

/// <summary>
/// <c>redis-sentinel://[[user]:password@]host[:port][,host[:port]…][/db]#serviceName</c>, the form other Redis clients
/// take: the Sentinels to ask (port 26379 unless given) and the name of the primary they watch. StackExchange.Redis
/// asks them for the primary and follows a failover; the password is sent to the Sentinels and to the primary.
/// </summary>
internal static class SentinelUrl
{
    public const string Scheme = "redis-sentinel://";
    private const int DefaultPort = 26379;

    public static bool TryParse(string url, [NotNullWhen(true)] out ConfigurationOptions? redis, [NotNullWhen(false)] out string? error)
    {
        redis = null;
        var rest = url[Scheme.Length..];
        var hash = rest.IndexOf('#');
        var serviceName = hash < 0 ? "" : Uri.UnescapeDataString(rest[(hash + 1)..]);
        if (serviceName.Trim().Length == 0)
        {
            error = "has no service name: redis-sentinel://host:port[,host:port…][/db]#serviceName names the primary the Sentinels watch.";
            return false;
        }

        rest = hash < 0 ? rest : rest[..hash];
        var slash = rest.IndexOf('/');
        var path = slash < 0 ? "" : rest[(slash + 1)..];
        var authority = slash < 0 ? rest : rest[..slash];
        var at = authority.LastIndexOf('@');
        var hosts = at < 0 ? authority : authority[(at + 1)..];

        var options = new ConfigurationOptions { ServiceName = serviceName };
        foreach (var host in hosts.Split(','))
        {
            if (!TryParseEndPoint(host, out var name, out var port, out error))
            {
                return false;
            }

            options.EndPoints.Add(name, port);
        }

        if (path.Length > 0)
        {
            if (!int.TryParse(path, NumberStyles.None, CultureInfo.InvariantCulture, out var db))
            {
                error = $"has database '{path}', which is not a non-negative number.";
                return false;
            }

            options.DefaultDatabase = db;
        }

        if (at >= 0)
        {
            RedisUserInfo.Apply(authority[..at], options);
        }

        redis = options;
        error = null;
        return true;
    }

    private static bool TryParseEndPoint(string text, out string host, out int port, [NotNullWhen(false)] out string? error)
    {
        port = DefaultPort;
        string? portText; // null: no port given
        if (text.StartsWith('['))
        {
            // [IPv6]:port
            var close = text.IndexOf(']');
            host = close < 0 ? "" : text[1..close];
            portText = close < 0 || close + 1 >= text.Length ? null : text[(close + 1)..] is [':', .. var after] ? after : text[(close + 1)..];
        }
        else
        {
            var colon = text.LastIndexOf(':');
            host = colon < 0 ? text : text[..colon];
            portText = colon < 0 ? null : text[(colon + 1)..];
        }

        if (host.Trim().Length == 0)
        {
            error = $"has a Sentinel with no host ('{text}'): give host:port for each, separated by commas.";
            return false;
        }

        if (portText is not null && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
        {
            error = $"has a Sentinel with port '{portText}', which is not a port (1-65535).";
            return false;
        }

        error = null;
        return true;
    }
}
