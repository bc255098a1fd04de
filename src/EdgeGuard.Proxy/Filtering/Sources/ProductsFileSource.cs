using System.Runtime.CompilerServices;
using EdgeGuard.Filter;
using EdgeGuard.Proxy.Observability;

namespace EdgeGuard.Proxy.Filtering.Sources;

/// <summary>
/// A <c>products.txt</c> file (format in CONTRACT.md, parsed by the filter library's
/// <see cref="ProductsFile"/>): its valid ids, with invalid lines counted and logged by line number.
/// </summary>
public sealed class ProductsFileSource(string path, ProductIdRule idRule, bool required, ILogger<ProductsFileSource> logger) : IIdSource
{
    public bool YieldsDistinctIds => false;

    public string Name => "products-file";

    public string Path => path;

    /// <summary>The file's full path.</summary>
    public string Identity => System.IO.Path.GetFullPath(path);

    /// <summary>The file's size and time of last write: a snapshot whose filter read it so knows whether it changed.</summary>
    public ValueTask<string?> PositionAsync(CancellationToken cancellationToken) => ValueTask.FromResult<string?>(Stamp());

    public ValueTask<SinceSnapshot> SinceAsync(string position, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Stamp() == position ? SinceSnapshot.Unchanged : SinceSnapshot.Unknown);

    private string Stamp()
    {
        var file = new FileInfo(path);
        return file.Exists ? $"{file.Length}@{file.LastWriteTimeUtc.Ticks}" : "missing";
    }

    public async IAsyncEnumerable<string> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            if (required)
            {
                throw new FileNotFoundException($"The products file '{path}' (PRODUCTS_FILE) does not exist, and it is the filter's only source.", path);
            }

            // Another source lists every product; the file only adds to it.
            LogMessages.ProductsFileMissing(logger, path);
            yield break;
        }

        var report = new ProductsFileReport();
        foreach (var product in ProductsFile.Read(path, idRule, report))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return product.Id;
        }

        LogMessages.ProductsFileLoaded(logger, path, report.Products, report.Invalid, string.Join(", ", report.FirstInvalidLines));
        await Task.CompletedTask.ConfigureAwait(false);
    }
}
