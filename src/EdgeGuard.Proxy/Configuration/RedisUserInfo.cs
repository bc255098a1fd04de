using StackExchange.Redis;

namespace EdgeGuard.Proxy.Configuration;

/// <summary>The user-info part of a Redis URL (<c>user:password</c>, <c>:password</c> or a lone password), URL-escaped.</summary>
internal static class RedisUserInfo
{
    public static void Apply(string userInfo, ConfigurationOptions redis)
    {
        if (userInfo.Length == 0)
        {
            return;
        }

        var colon = userInfo.IndexOf(':');
        var user = Uri.UnescapeDataString(colon < 0 ? userInfo : userInfo[..colon]);
        var password = colon < 0 ? null : Uri.UnescapeDataString(userInfo[(colon + 1)..]);
        if (password is null)
        {
            // redis://secret@host: a lone user-info part is the password (requirepass without ACL users).
            redis.Password = user;
        }
        else
        {
            redis.User = user.Length > 0 ? user : null;
            redis.Password = password;
        }
    }
}
