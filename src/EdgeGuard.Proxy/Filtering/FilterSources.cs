using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using EdgeGuard.Filter;
using EdgeGuard.Proxy.Configuration;
using EdgeGuard.Proxy.Observability;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy;

namespace EdgeGuard.Proxy.Filtering;

/// <summary>
/// Fills a new filter from the configured sources: the products file and the catalog's
/// <c>GET /products/ids</c> stream (read line by line, never buffered whole). Invalid ids are counted and
/// skipped, as the products-file format says (the filter library's loaders do the counting).
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

        var report = filter.AddFromFile(path, idRule);
        Log.ProductsFileLoaded(logger, path, report.Added, report.Skipped, string.Join(", ", report.FirstSkippedLines));
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
        var report = await filter.AddAllAsync(ReadLinesAsync(reader, cancellationToken), idRule, cancellationToken).ConfigureAwait(false);
        Log.CatalogIdsLoaded(logger, url, report.Added, report.Skipped);
    }

    private static async IAsyncEnumerable<string> ReadLinesAsync(TextReader reader, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            yield return line;
        }
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
