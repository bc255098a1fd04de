using System.Net;
using EdgeGuard.Filter;
using EdgeGuard.Proxy.Tests.Infrastructure;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace EdgeGuard.Proxy.Tests.Budget;

/// <summary>
/// The attack keyed hashing answers, end to end: an attacker who knows the product ids (a public catalog) rebuilds
/// the filter offline with the public, unkeyed hash and keeps 1,000 absent ids it lets through. Against an unkeyed
/// filter every one of them would reach the catalog; the gateway's filter is keyed (a random key, as by default), so
/// the list passes at about the filter's own false-positive rate.
/// </summary>
public sealed class PrecomputedFalsePositiveTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int IdCount = 20_000;
    private const double Rate = 0.01;
    private const int ListLength = 1_000;

    [Fact]
    public async Task A_false_positive_list_computed_offline_passes_a_keyed_gateway_at_about_its_normal_rate()
    {
        var ids = Enumerable.Range(0, IdCount).Select(i => $"SKU-{i:D6}").ToList();

        // Offline: the same ids, the same size (ExpectedItems, FalsePositiveRate), the public hash.
        var offline = new BloomFilter(IdCount, Rate);
        foreach (var id in ids)
        {
            offline.Add(id);
        }

        var list = new List<string>(ListLength);
        for (var candidate = 0; list.Count < ListLength; candidate++)
        {
            var id = $"SKU-X{candidate:D7}";
            if (offline.MightContain(id))
            {
                list.Add(id);
            }
        }

        using var catalog = Upstream.StartCatalog();
        catalog.Given(Request.Create().WithPath(new WildcardMatcher("/products/*")).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(404).WithHeader("Content-Type", "application/problem+json").WithBody("""{"status":404}"""));
        await using var gateway = new GatewayFactory(catalog.Url!, ids, new Dictionary<string, string?>
        {
            ["EdgeGuard:Bloom:ExpectedItems"] = IdCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["EdgeGuard:Bloom:FalsePositiveRate"] = Rate.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        using var client = await gateway.CreateReadyClientAsync();

        var rejected = 0;
        foreach (var id in list)
        {
            using var response = await client.GetAsync($"/products/{id}");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            rejected += response.Source() == "bloom" ? 1 : 0;
        }

        // Against an unkeyed filter of these ids the list is perfect: that filter is the offline one.
        Assert.All(list, id => Assert.True(offline.MightContain(id)));
        // Keyed, each listed id is just another absent id: Binomial(1000, ~0.01), mean 10, standard deviation 3.1;
        // 30 (3 %) is 6 standard deviations out.
        var reached = catalog.Calls();
        output.WriteLine($"{list.Count} precomputed false positives: {rejected} rejected by the keyed filter, {reached} reached the catalog");
        Assert.Equal(ListLength - rejected, reached);
        Assert.InRange(reached, 0, 30);
    }
}
