using System.Net.Http.Headers;
using EdgeGuard.Filter;
using EdgeGuard.Proxy.Configuration;
using EdgeGuard.Proxy.Observability;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy;

namespace EdgeGuard.Proxy.Filtering;

/// <summary>
/// Fills a new filter from the configured sources: the products file and the catalog's
/// <c>GET /products/ids</c> stream (read line by line, never buffered whole). Invalid ids are counted and
/// skipped, as the products-file format says.
/// </summary>
public sealed class FilterSources(
    IOptions<EdgeGuardOptions> options,
    ProductIdRule idRule,
    IHttpClientFactory httpClients,
    IProxyStateLookup proxyState,
    ILogger<FilterSources> logger)
{
    public const string CatalogHttpClient = "edgeguard-catalog-ids";

    private BloomOptions Bloom => options.Value.Bloom;

    /// <summary>True when no source can list products created through the catalog's API.</summary>
    public bool SourcesMissApiCreatedProducts => !Bloom.LoadFromCatalog;

    public BloomFilter CreateEmpty() => new(Bloom.ExpectedItems, Bloom.FalsePositiveRate);

    public async Task LoadAsync(BloomFilter filter, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrWhiteSpace(Bloom.ProductsFile))
        {
            LoadFile(filter, Bloom.ProductsFile);
        }

        if (Bloom.LoadFromCatalog)
        {
            await LoadCatalogAsync(filter, cancellationToken).ConfigureAwait(false);
        }

        if (filter.Count > filter.ExpectedItems)
        {
            Log.FilterOverfull(logger, filter.Count, filter.ExpectedItems, filter.EstimatedFalsePositiveRate);
        }
    }

    private void LoadFile(BloomFilter filter, string path)
    {
        if (!File.Exists(path))
        {
            // Only reached when the catalog is a source too (options validation refuses a lone missing file).
            Log.ProductsFileMissing(logger, path);
            return;
        }

        var report = new ProductsFileReport();
        foreach (var product in ProductsFile.Read(path, idRule, report))
        {
            filter.Add(product.Id);
        }

        Log.ProductsFileLoaded(logger, path, report.Products, report.Invalid, string.Join(", ", report.FirstInvalidLines));
    }

    private async Task LoadCatalogAsync(BloomFilter filter, CancellationToken cancellationToken)
    {
        var catalog = CatalogAddress();
        var url = new Uri(catalog, Bloom.CatalogIdsPath);
        var client = httpClients.CreateClient(CatalogHttpClient);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/plain"));
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(body);
        long added = 0, invalid = 0;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            var id = line.Trim();
            if (id.Length == 0)
            {
                continue;
            }

            if (idRule.IsValid(id))
            {
                filter.Add(id);
                added++;
            }
            else
            {
                invalid++;
            }
        }

        Log.CatalogIdsLoaded(logger, url, added, invalid);
    }

    private Uri CatalogAddress()
    {
        if (proxyState.TryGetCluster(Bloom.CatalogCluster, out var cluster))
        {
            foreach (var destination in cluster.Destinations.Values)
            {
                return new Uri(destination.Model.Config.Address);
            }
        }

        throw new InvalidOperationException($"The YARP cluster '{Bloom.CatalogCluster}' (EdgeGuard:Bloom:CatalogCluster) has no destination to load ids from.");
    }
}
