using EdgeGuard.Filter;
using EdgeGuard.Proxy.Configuration;
using EdgeGuard.Proxy.Filtering.Sources.Sql;

namespace EdgeGuard.Proxy.Filtering;

/// <summary>The filter's settings: its key, its sources (at least one, and a products file that exists when it is the
/// only one), the SQL source's section. Each failure names the setting.</summary>
public sealed class FilterOptionsValidator(IConfiguration configuration) : IValidateOptions<EdgeGuardOptions>
{
    public ValidateOptionsResult Validate(string? name, EdgeGuardOptions options)
    {
        var failures = new List<string>();
        if (configuration[FilterKeyProvider.EnvironmentVariable] is { Length: > 0 } key && !BloomFilterKey.TryParse(key, out _))
        {
            failures.Add($"{FilterKeyProvider.EnvironmentVariable} must be 32 hex digits (a 128-bit key), not all zero.");
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

        failures.AddRange(SqlSourceSettings.Validate(options.Bloom.Sql));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
