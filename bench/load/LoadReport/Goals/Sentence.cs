using System.Text.RegularExpressions;

namespace LoadReport.Goals;

/// <summary>Fills a goal's sentence: each <c>{name}</c> becomes the figure of that name.</summary>
internal static partial class Sentence
{
    /// <exception cref="InvalidOperationException">The sentence names a figure that is not given.</exception>
    public static string Fill(string sentence, IReadOnlyDictionary<string, string> figures) =>
        Placeholder().Replace(sentence, m => figures.TryGetValue(m.Groups[1].Value, out var figure)
            ? figure
            : throw new InvalidOperationException($"unknown figure {m.Value} in \"{sentence}\""));

    [GeneratedRegex(@"\{([a-z]+)\}", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();
}
