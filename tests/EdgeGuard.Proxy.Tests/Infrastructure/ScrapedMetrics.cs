using System.Text.RegularExpressions;

namespace EdgeGuard.Proxy.Tests.Infrastructure;

/// <summary>
/// A <c>/metrics</c> answer (Prometheus text exposition), read the way a scraper does: one sample per line,
/// <c>name{label="value",...} number</c>, where an unlabelled sample may be written <c>name 1</c> or <c>name{} 1</c>.
/// </summary>
public sealed partial class ScrapedMetrics(string text)
{
    public string Text { get; } = text;

    public static async Task<ScrapedMetrics> ReadAsync(HttpClient client) => new(await client.GetStringAsync("/metrics"));

    /// <summary>Names of every sample's series (histograms as their _bucket, _sum and _count series).</summary>
    public IReadOnlySet<string> Names => Samples().Select(sample => sample.Name).ToHashSet(StringComparer.Ordinal);

    /// <summary>The value of the sample named <paramref name="name"/> with exactly <paramref name="labels"/>, or null.</summary>
    public double? Value(string name, params (string Name, string Value)[] labels)
    {
        var wanted = labels.ToDictionary(label => label.Name, label => label.Value, StringComparer.Ordinal);
        return Samples().Where(sample => sample.Name == name && sample.Labels.Count == wanted.Count && !sample.Labels.Except(wanted).Any())
            .Select(sample => (double?)sample.Value).FirstOrDefault();
    }

    /// <summary>The sum of every sample named <paramref name="name"/> whatever its labels (0 when there is none).</summary>
    public double Sum(string name) => Samples().Where(sample => sample.Name == name).Sum(sample => sample.Value);

    private IEnumerable<(string Name, Dictionary<string, string> Labels, double Value)> Samples()
    {
        foreach (var line in Text.Split('\n'))
        {
            if (SampleLine().Match(line) is not { Success: true } sample)
            {
                continue;
            }

            var labels = Label().Matches(sample.Groups["labels"].Value)
                .ToDictionary(label => label.Groups[1].Value, label => label.Groups[2].Value, StringComparer.Ordinal);
            yield return (sample.Groups["name"].Value, labels, double.Parse(sample.Groups["value"].Value, CultureInfo.InvariantCulture));
        }
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})?\s+(?<value>\S+)")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)=""((?:[^""\\]|\\.)*)""")]
    private static partial Regex Label();
}
