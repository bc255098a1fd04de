using EdgeGuard.Filter;

namespace EdgeGuard.Proxy.Configuration;

/// <summary>Data-annotation rules, generated at compile time (recursing into nested sections).</summary>
[OptionsValidator]
public sealed partial class EdgeGuardOptionsAnnotationsValidator : IValidateOptions<EdgeGuardOptions>;

/// <summary>
/// Rules that span settings or need parsing, for the settings every gateway has; each failure names the setting. The
/// features validate their own sections (<c>FilterOptionsValidator</c>, <c>ClientBudgetOptionsValidator</c>).
/// </summary>
public sealed class EdgeGuardOptionsValidator : IValidateOptions<EdgeGuardOptions>
{
    public ValidateOptionsResult Validate(string? name, EdgeGuardOptions options)
    {
        var failures = new List<string>();
        if (options.Cluster.AnnounceTimeout >= options.Cluster.MembershipTtl)
        {
            failures.Add("EdgeGuard:Cluster:AnnounceTimeout must be shorter than EdgeGuard:Cluster:MembershipTtl.");
        }

        if (options.Cluster.HeartbeatInterval * 2 >= options.Cluster.MembershipTtl)
        {
            failures.Add("EdgeGuard:Cluster:HeartbeatInterval must be under half of EdgeGuard:Cluster:MembershipTtl.");
        }
        try
        {
            _ = new ProductIdRule(options.IdPattern);
        }
        catch (ArgumentException e)
        {
            failures.Add($"EdgeGuard:IdPattern is not a valid regular expression: {e.Message}");
        }

        if (options.Cache.NegativeTtlJitter >= options.Cache.NegativeTtl)
        {
            failures.Add("EdgeGuard:Cache:NegativeTtlJitter must be shorter than EdgeGuard:Cache:NegativeTtl.");
        }

        if (options.Cache.SoftTimeout >= options.Cache.HardTimeout)
        {
            failures.Add("EdgeGuard:Cache:SoftTimeout must be shorter than EdgeGuard:Cache:HardTimeout.");
        }

        if (!CacheLocation.TryParse(options.Cache.RedisUrl, out _, out var redisError))
        {
            failures.Add($"REDIS_URL (EdgeGuard:Cache:RedisUrl) {redisError}");
        }

        if (!BloomLayoutSetting.TryParse(options.Bloom.Layout, out _))
        {
            failures.Add(BloomLayoutSetting.Error(options.Bloom.Layout));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
