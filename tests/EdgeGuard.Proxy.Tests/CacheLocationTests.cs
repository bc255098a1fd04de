using System.Net;
using EdgeGuard.Proxy.Configuration;
using StackExchange.Redis;

namespace EdgeGuard.Proxy.Tests;

/// <summary><c>REDIS_URL</c> in the contract's URL form, mapped onto StackExchange.Redis options.</summary>
public sealed class CacheLocationTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("memory://")]
    [InlineData(" memory:// ")]
    public void Unset_or_memory_is_the_embedded_cache(string? url)
    {
        Assert.True(CacheLocation.TryParse(url, out var location, out var error), error);
        Assert.True(location.IsEmbedded);
        Assert.Null(location.Redis);
    }

    [Fact]
    public void Host_and_port()
    {
        var redis = Parse("redis://cache.internal:6380");

        Assert.Equal(("cache.internal", 6380), Single(redis));
        Assert.False(redis.Ssl);
        Assert.Null(redis.User);
        Assert.Null(redis.Password);
        Assert.Null(redis.DefaultDatabase);
    }

    [Fact]
    public void Ip_address_and_port()
    {
        Assert.Equal(("127.0.0.1", 7000), Single(Parse("redis://127.0.0.1:7000")));
    }

    [Fact]
    public void Ipv6_address_and_port()
    {
        Assert.Equal(("::1", 6390), Single(Parse("redis://[::1]:6390")));
    }

    [Theory]
    [InlineData("redis://cache.internal")]
    [InlineData("redis://cache.internal/")]
    [InlineData("redis://cache.internal:6379")]
    public void Port_defaults_to_6379(string url)
    {
        Assert.Equal(("cache.internal", 6379), Single(Parse(url)));
    }

    [Fact]
    public void User_and_password()
    {
        var redis = Parse("redis://alice:s3cret@cache.internal:6379");

        Assert.Equal("alice", redis.User);
        Assert.Equal("s3cret", redis.Password);
        Assert.Equal(("cache.internal", 6379), Single(redis));
    }

    [Theory]
    [InlineData("redis://:s3cret@cache.internal:6379")]
    [InlineData("redis://s3cret@cache.internal:6379")]
    public void Password_only(string url)
    {
        var redis = Parse(url);

        Assert.Null(redis.User);
        Assert.Equal("s3cret", redis.Password);
    }

    [Fact]
    public void Url_escaped_password_is_unescaped()
    {
        var redis = Parse("redis://bob:p%40ss%3Aw%2Frd%23%25%20x@cache.internal:6379/2");

        Assert.Equal("bob", redis.User);
        Assert.Equal("p@ss:w/rd#% x", redis.Password);
        Assert.Equal(2, redis.DefaultDatabase);
    }

    [Theory]
    [InlineData("redis://cache.internal:6379/0", 0)]
    [InlineData("redis://cache.internal:6379/3", 3)]
    [InlineData("redis://cache.internal/15", 15)]
    public void Database_from_the_path(string url, int db)
    {
        Assert.Equal(db, Parse(url).DefaultDatabase);
    }

    [Fact]
    public void Rediss_means_tls()
    {
        var redis = Parse("rediss://user:pw@secure.example:6380/1");

        Assert.True(redis.Ssl);
        Assert.Equal(("secure.example", 6380), Single(redis));
        Assert.Equal("user", redis.User);
        Assert.Equal("pw", redis.Password);
        Assert.Equal(1, redis.DefaultDatabase);
    }

    [Fact]
    public void Each_parse_gives_independent_options()
    {
        Assert.True(CacheLocation.TryParse("redis://a:1", out var first, out _));
        Assert.True(CacheLocation.TryParse("redis://a:1", out var second, out _));

        Assert.NotSame(first.Redis, second.Redis);
    }

    [Theory]
    [InlineData("http://cache.internal:6379")]
    [InlineData("tcp://cache.internal:6379")]
    [InlineData("memcached://cache.internal:11211")]
    [InlineData("cache.internal:6379")]
    [InlineData("localhost")]
    [InlineData("redis:/cache")]
    [InlineData("not a url")]
    public void Other_schemes_and_non_urls_are_refused(string url)
    {
        Assert.False(CacheLocation.TryParse(url, out var location, out var error));
        Assert.Null(location);
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Theory]
    [InlineData("redis://cache.internal:6379/abc")]
    [InlineData("redis://cache.internal:6379/-1")]
    [InlineData("redis://cache.internal:6379/1.5")]
    [InlineData("redis://cache.internal:6379/1/2")]
    public void Database_that_is_not_a_non_negative_number_is_refused(string url)
    {
        Assert.False(CacheLocation.TryParse(url, out var location, out var error));
        Assert.Null(location);
        Assert.Contains("database", error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Sentinels_and_the_service_name()
    {
        var redis = Parse("redis-sentinel://s1.internal:26379,10.0.0.7:26380,[::1]:26381#mymaster");

        Assert.Equal("mymaster", redis.ServiceName);
        Assert.Equal([("s1.internal", 26379), ("10.0.0.7", 26380), ("::1", 26381)], EndPoints(redis));
        Assert.Null(redis.Password);
        Assert.Null(redis.DefaultDatabase);
        Assert.False(redis.Ssl);
    }

    [Fact]
    public void Sentinel_port_defaults_to_26379()
    {
        Assert.Equal([("s1", 26379), ("s2", 26379)], EndPoints(Parse("redis-sentinel://s1,s2#edgeguard")));
    }

    [Fact]
    public void Sentinel_password_database_and_escaped_service_name()
    {
        var redis = Parse("redis-sentinel://:p%40ss%2Cw%23rd@s1:26379,s2:26379/3#my%20master");

        Assert.Null(redis.User);
        Assert.Equal("p@ss,w#rd", redis.Password);
        Assert.Equal(3, redis.DefaultDatabase);
        Assert.Equal("my master", redis.ServiceName);
        Assert.Equal([("s1", 26379), ("s2", 26379)], EndPoints(redis));
    }

    [Fact]
    public void Sentinel_user_and_password()
    {
        var redis = Parse("redis-sentinel://alice:s3cret@s1:26379#edgeguard");

        Assert.Equal(("alice", "s3cret"), (redis.User, redis.Password));
    }

    [Theory]
    [InlineData("redis-sentinel://s1:26379,s2:26379", "service name")]
    [InlineData("redis-sentinel://s1:26379#", "service name")]
    [InlineData("redis-sentinel://s1:26379/0#  ", "service name")]
    [InlineData("redis-sentinel://#edgeguard", "no host")]
    [InlineData("redis-sentinel://:pw@/2#edgeguard", "no host")]
    [InlineData("redis-sentinel://s1:26379,,s2:26379#edgeguard", "no host")]
    [InlineData("redis-sentinel://s1:26379,:26380#edgeguard", "no host")]
    [InlineData("redis-sentinel://s1:port#edgeguard", "port")]
    [InlineData("redis-sentinel://s1:0#edgeguard", "port")]
    [InlineData("redis-sentinel://s1:65536#edgeguard", "port")]
    [InlineData("redis-sentinel://s1:#edgeguard", "port")]
    [InlineData("redis-sentinel://s1:-1#edgeguard", "port")]
    [InlineData("redis-sentinel://s1:26379/x#edgeguard", "database")]
    [InlineData("redis-sentinel://s1:26379/-1#edgeguard", "database")]
    [InlineData("redis-sentinel://s1:26379/1/2#edgeguard", "database")]
    public void Bad_sentinel_urls_are_refused_saying_why(string url, string named)
    {
        Assert.False(CacheLocation.TryParse(url, out var location, out var error));
        Assert.Null(location);
        Assert.Contains(named, error, StringComparison.OrdinalIgnoreCase);
    }

    private static (string Host, int Port)[] EndPoints(ConfigurationOptions redis) =>
        redis.EndPoints.Select(endPoint => endPoint switch
        {
            DnsEndPoint dns => (dns.Host, dns.Port),
            IPEndPoint ip => (ip.Address.ToString(), ip.Port),
            var other => throw new InvalidOperationException($"Unexpected endpoint {other}"),
        }).ToArray();

    private static ConfigurationOptions Parse(string url)
    {
        Assert.True(CacheLocation.TryParse(url, out var location, out var error), $"{url}: {error}");
        Assert.False(location.IsEmbedded);
        return location.Redis!;
    }

    private static (string Host, int Port) Single(ConfigurationOptions redis) => Assert.Single(redis.EndPoints) switch
    {
        DnsEndPoint dns => (dns.Host, dns.Port),
        IPEndPoint ip => (ip.Address.ToString(), ip.Port),
        var other => throw new InvalidOperationException($"Unexpected endpoint {other}"),
    };
}
