namespace LoadReport;

/// <summary>bench/RESULTS.md: the load section is replaced between its markers; the rest of the file is kept.</summary>
internal static class ResultsFile
{
    /// <summary>Replaces the section in <paramref name="path"/>, or appends it when the file has none (creates the file if missing).</summary>
    public static void ReplaceSection(string path, string section)
    {
        var text = File.Exists(path) ? File.ReadAllText(path) : "# Benchmark results\n";
        var begin = text.IndexOf(MarkdownSection.BeginMarker, StringComparison.Ordinal);
        var end = text.IndexOf(MarkdownSection.EndMarker, StringComparison.Ordinal);
        if (begin >= 0 && end > begin)
        {
            text = text[..begin] + section.TrimEnd('\n') + text[(end + MarkdownSection.EndMarker.Length)..];
        }
        else
        {
            text = text.TrimEnd('\n') + "\n\n" + section;
        }

        if (!text.EndsWith('\n'))
        {
            text += "\n";
        }

        File.WriteAllText(path, text);
    }
}
