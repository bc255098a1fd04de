using EdgeGuard.Filter;
using EdgeGuard.Proxy.Filtering.Sources.Sql;
using Microsoft.Extensions.Options;

namespace EdgeGuard.Proxy.Configuration;

/// <summary>Data-annotation rules, generated at compile time (recursing into nested sections).</summary>
[OptionsValidator]
public sealed partial class EdgeGuardOptionsAnnotationsValidator : IValidateOptions<EdgeGuardOptions>;

/// <summary>Rules that span settings or need parsing; each failure names the setting.</summary>
public sealed class EdgeGuardOptionsValidator(IConfiguration configuration) : IValidateOptions<EdgeGuardOptions>
{
    public ValidateOptionsResult Validate(string? name, EdgeGuardOptions options)
    {
        var failures = new List<string>();
        if (configuration[Filtering.FilterKeyProvider.EnvironmentVariable] is { Length: > 0 } key && !BloomFilterKey.TryParse(key, out _))
        {
            failures.Add($"{Filtering.FilterKeyProvider.EnvironmentVariable} must be 32 hex digits (a 128-bit key), not all zero.");
        }

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

        if (!options.Bloom.HasApiListingSource && string.IsNullOrWhiteSpace(options.Bloom.ProductsFile))
        {
            failures.Add("EdgeGuard:Bloom has no source: set PRODUCTS_FILE (EdgeGuard:Bloom:ProductsFile), EdgeGuard:Bloom:LoadFromCatalog or EdgeGuard:Bloom:Sql.");
        }
        else if (!options.Bloom.HasApiListingSource && !File.Exists(options.Bloom.ProductsFile))
        {
            // With the file as the only source, a missing file would make a filter that rejects every product.
            failures.Add($"PRODUCTS_FILE (EdgeGuard:Bloom:ProductsFile) '{options.Bloom.ProductsFile}' does not exist, and it is the filter's only source.");
        }

        if (!BloomLayoutSetting.TryParse(options.Bloom.Layout, out _))
        {
            failures.Add(BloomLayoutSetting.Error(options.Bloom.Layout));
        }

        failures.AddRange(SqlSourceSettings.Validate(options.Bloom.Sql));
        failures.AddRange(Budget.ClientBudgetSettings.Validate(options.ClientBudget));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
