using System.Globalization;

namespace EdgeGuard.Proxy.Dashboard;

/// <summary>One sample of a Prometheus text exposition: <c>name{labels} value</c>.</summary>
public sealed record ExpositionSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public string? Label(string name) => Labels.GetValueOrDefault(name);
}

/// <summary>
/// Reads the samples of a Prometheus text exposition (format 0.0.4: the exporter's own output, scraped in-process by
/// <see cref="MetricsScrape"/>): comments and blank lines are skipped, label values unescaped, timestamps ignored.
/// Lines it cannot read are skipped rather than failing the whole read.
/// </summary>
public static class PrometheusExposition
{
    private static readonly IReadOnlyDictionary<string, string> NoLabels = new Dictionary<string, string>();

    public static IEnumerable<ExpositionSample> Read(string text)
    {
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            if (TryReadSample(line, out var sample))
            {
                yield return sample;
            }
        }
    }

    private static bool TryReadSample(string line, out ExpositionSample sample)
    {
        sample = null!;
        var i = 0;
        while (i < line.Length && (char.IsAsciiLetterOrDigit(line[i]) || line[i] is '_' or ':'))
        {
            i++;
        }

        if (i == 0)
        {
            return false;
        }

        var name = line[..i];
        var labels = NoLabels;
        if (i < line.Length && line[i] == '{')
        {
            if (ReadLabels(line, ref i) is not { } read)
            {
                return false;
            }

            labels = read;
        }

        var rest = line.AsSpan(i).Trim();
        var end = rest.IndexOf(' ');
        var number = end < 0 ? rest : rest[..end];
        if (!TryParseValue(number, out var value))
        {
            return false;
        }

        sample = new ExpositionSample(name, labels, value);
        return true;
    }

    /// <summary>Reads <c>{a="x",b="y"}</c> starting at the brace; <paramref name="i"/> ends after the closing brace.</summary>
    private static Dictionary<string, string>? ReadLabels(string line, ref int i)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        i++;
        while (i < line.Length && line[i] != '}')
        {
            var start = i;
            while (i < line.Length && line[i] != '=')
            {
                i++;
            }

            if (i + 1 >= line.Length || line[i + 1] != '"')
            {
                return null;
            }

            var labelName = line[start..i].Trim(' ', ',');
            i += 2;
            var value = new System.Text.StringBuilder();
            while (i < line.Length && line[i] != '"')
            {
                if (line[i] == '\\' && i + 1 < line.Length)
                {
                    i++;
                    value.Append(line[i] == 'n' ? '\n' : line[i]);
                }
                else
                {
                    value.Append(line[i]);
                }

                i++;
            }

            if (i >= line.Length)
            {
                return null;
            }

            labels[labelName] = value.ToString();
            i++; // closing quote
            while (i < line.Length && line[i] is ',' or ' ')
            {
                i++;
            }
        }

        if (i >= line.Length)
        {
            return null;
        }

        i++; // closing brace
        return labels;
    }

    private static bool TryParseValue(ReadOnlySpan<char> text, out double value)
    {
        switch (text)
        {
            case "+Inf" or "Inf":
                value = double.PositiveInfinity;
                return true;
            case "-Inf":
                value = double.NegativeInfinity;
                return true;
            case "NaN":
                value = double.NaN;
                return true;
            default:
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        }
    }
}
