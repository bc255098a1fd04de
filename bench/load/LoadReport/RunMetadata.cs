using System.Globalization;

namespace LoadReport;

/// <summary>
/// meta.tsv: the run's settings (DURATION, ROUNDS, ...), the machine, the tools' versions and the command, one
/// <c>key&lt;TAB&gt;value</c> per line.
/// </summary>
internal sealed class RunMetadata(IReadOnlyDictionary<string, string> values)
{
    /// <summary>Reads <paramref name="path"/>; a missing file gives empty metadata (every value "?").</summary>
    public static RunMetadata Read(string path)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (File.Exists(path))
        {
            foreach (var line in File.ReadLines(path))
            {
                var tab = line.IndexOf('\t', StringComparison.Ordinal);
                if (tab > 0)
                {
                    values[line[..tab]] = line[(tab + 1)..];
                }
            }
        }

        return new RunMetadata(values);
    }

    /// <summary>The value of <paramref name="key"/>, or "?" when the run did not record it.</summary>
    public string Text(string key) => values.TryGetValue(key, out var v) ? v : "?";

    /// <summary>The value of <paramref name="key"/> as a whole number, or 0 when absent or not a number.</summary>
    public int Integer(string key) => int.TryParse(Text(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : 0;

    /// <summary>Shorter runs or fewer rounds than the benchmark's defaults: the numbers only show the harness works.</summary>
    public bool IsSmokeRun => Integer("DURATION") < 10 || Integer("ROUNDS") < 3;
}
