using Xunit.Abstractions;
using Xunit.Sdk;

namespace EdgeGuard.Testing;

/// <summary>
/// Marks a test class (or method) that needs something outside the test process: a real redis-server,
/// redis-sentinel, PostgreSQL, a gateway or catalog process, Chromium, promtool. It gives the trait
/// <c>Category=Integration</c>, so <c>dotnet test --filter "Category=Integration"</c> runs these and
/// <c>--filter "Category!=Integration"</c> runs the fast unit tests, which need only the .NET SDK.
/// </summary>
[TraitDiscoverer("EdgeGuard.Testing.IntegrationTraitDiscoverer", "EdgeGuard.Testing")]
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false)]
public sealed class IntegrationAttribute : Attribute, ITraitAttribute
{
    public const string Category = "Category";
    public const string Value = "Integration";
}

/// <summary>Turns <see cref="IntegrationAttribute"/> into its trait.</summary>
public sealed class IntegrationTraitDiscoverer : ITraitDiscoverer
{
    public IEnumerable<KeyValuePair<string, string>> GetTraits(IAttributeInfo traitAttribute) =>
        [new(IntegrationAttribute.Category, IntegrationAttribute.Value)];
}
