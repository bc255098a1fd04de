using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using EdgeGuard.Proxy.Configuration;

namespace EdgeGuard.Proxy.Filtering.Sources;

/// <summary>
/// The catalog's <c>GET /products/ids</c> stream (one id per line), read from the catalog cluster's
/// destination line by line, never buffered whole. The catalog is the source of truth: products created
/// through its API since the products file was written are only known from here.
/// </summary>
public sealed class CatalogIdsSource(
    IOptions<EdgeGuardOptions> options,
    IHttpClientFactory httpClients,
    CatalogDestination catalog) : IIdSource
{
    public bool YieldsDistinctIds => true;

    public string Name => "catalog";

    /// <summary>The URL the ids are read from.</summary>
    public string Identity => new Uri(catalog.Address, options.Value.Bloom.CatalogIdsPath).ToString();

    public async IAsyncEnumerable<string> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var url = new Uri(catalog.Address, options.Value.Bloom.CatalogIdsPath);
        var client = httpClients.CreateClient(CatalogDestination.HttpClientName);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/plain"));
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(body);
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            yield return line;
        }
    }
}
