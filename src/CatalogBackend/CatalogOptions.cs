namespace CatalogBackend;

/// <summary>Where the catalog reads its seed file and keeps its database; both absolute.</summary>
public sealed record CatalogOptions(string ProductsFile, string DatabasePath)
{
    public const string ProductsFileKey = "PRODUCTS_FILE";
    public const string DatabaseKey = "CATALOG_DB";
    public const string DefaultProductsFile = "data/products.txt";
    public const string DefaultDatabase = "data/products.db";

    /// <summary>Reads <c>PRODUCTS_FILE</c> and <c>CATALOG_DB</c>, resolving relative paths against the current directory.</summary>
    public static CatalogOptions FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return new CatalogOptions(
            Resolve(configuration[ProductsFileKey], DefaultProductsFile),
            Resolve(configuration[DatabaseKey], DefaultDatabase));
    }

    private static string Resolve(string? configured, string fallback) =>
        Path.GetFullPath(string.IsNullOrWhiteSpace(configured) ? fallback : configured.Trim());
}
