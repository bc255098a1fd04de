using System.Text.Json;
using System.Xml.Linq;

namespace EdgeGuard.Proxy.Tests;

/// <summary>
/// The repository restores and builds on any machine with the .NET 10 SDK: a laptop, a CI runner, the
/// official SDK image. A package source that only this project's machines have (a local folder) fails restore
/// everywhere else; the next SDK's new analyzers must not break warnings-as-errors.
/// </summary>
public sealed class BuildAnywhereTests
{
    [Fact]
    public void Nuget_config_names_only_network_package_sources()
    {
        var config = XDocument.Load(Path.Combine(Repository.Root, "nuget.config"));

        var sources = config.Descendants("packageSources").Elements("add").Select(e => (string?)e.Attribute("value") ?? "").ToList();

        Assert.NotEmpty(sources);
        Assert.All(sources, source => Assert.True(
            Uri.TryCreate(source, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps,
            $"'{source}' is not an https package source; a local folder fails restore on machines without it."));
        Assert.NotEmpty(config.Descendants("packageSources").Elements("clear"));
    }

    [Fact]
    public void Global_json_pins_sdk_10_and_rolls_forward_to_newer_feature_bands_only()
    {
        using var globalJson = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repository.Root, "global.json")));
        var sdk = globalJson.RootElement.GetProperty("sdk");

        Assert.StartsWith("10.0.", sdk.GetProperty("version").GetString());
        Assert.Equal("latestFeature", sdk.GetProperty("rollForward").GetString());
    }
}
