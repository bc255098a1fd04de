using EdgeGuard.Filter;

namespace EdgeGuard.Proxy.Configuration;

/// <summary><c>EdgeGuard:Bloom:Layout</c>: the filter layout by name, <c>blocked</c> or <c>standard</c> (any case).</summary>
public static class BloomLayoutSetting
{
    public const string Path = "EdgeGuard:Bloom:Layout";

    /// <summary>The name of <see cref="BloomFilter.DefaultLayout"/>, the setting's default.</summary>
    public static string Default => Name(BloomFilter.DefaultLayout);

    /// <summary>The layout's name as configured and as <c>/bloom/stats</c> reports it.</summary>
    public static string Name(BloomFilterLayout layout) => layout switch
    {
        BloomFilterLayout.Blocked => "blocked",
        BloomFilterLayout.Standard => "standard",
        _ => throw new ArgumentOutOfRangeException(nameof(layout), layout, "Not a filter layout."),
    };

    /// <summary>Names only: a number is not a layout, even where it would parse as one.</summary>
    public static bool TryParse(string? value, out BloomFilterLayout layout)
    {
        foreach (var candidate in (ReadOnlySpan<BloomFilterLayout>)[BloomFilterLayout.Blocked, BloomFilterLayout.Standard])
        {
            if (string.Equals(value?.Trim(), Name(candidate), StringComparison.OrdinalIgnoreCase))
            {
                layout = candidate;
                return true;
            }
        }

        layout = default;
        return false;
    }

    /// <summary>The configured layout; the validator has refused start-up for any other value.</summary>
    public static BloomFilterLayout Of(BloomOptions options) =>
        TryParse(options.Layout, out var layout) ? layout : throw new ConfigurationErrorException(Error(options.Layout));

    public static string Error(string? value) => $"{Path} '{value}' is not a filter layout: use blocked or standard.";
}
