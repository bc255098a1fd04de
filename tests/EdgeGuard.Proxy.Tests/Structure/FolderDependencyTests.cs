using System.Text.RegularExpressions;

namespace EdgeGuard.Proxy.Tests.Structure;

/// <summary>
/// The gateway's folders depend on each other in one direction: no folder uses a folder that uses it back, however
/// far round (Observability, which every feature reports to, aside). Read from the sources: a folder uses another when
/// one of its files names it (a <c>using</c> line or a qualified name), comments left out.
/// </summary>
public sealed partial class FolderDependencyTests
{
    private const string Exempt = "Observability";
    private static readonly string Source = Path.Combine(Repository.Root, "src", "EdgeGuard.Proxy");

    [Fact]
    public void No_folder_uses_a_folder_that_uses_it_back()
    {
        var uses = Uses();
        var cycles = new List<string>();
        foreach (var start in uses.Keys.Where(folder => folder != Exempt))
        {
            foreach (var path in PathsBack(uses, start))
            {
                cycles.Add(string.Join(" -> ", path));
            }
        }

        Assert.True(cycles.Count == 0, "folders that use each other: " + string.Join("; ", cycles.Distinct().Take(10)));
    }

    [Fact]
    public void No_file_in_src_is_over_300_lines()
    {
        var large = Directory.EnumerateFiles(Path.Combine(Repository.Root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(file => !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(file => (File: Path.GetRelativePath(Repository.Root, file), Lines: File.ReadLines(file).Count()))
            .Where(file => file.Lines > 300)
            .ToList();

        Assert.True(large.Count == 0, string.Join(", ", large.Select(file => $"{file.File} ({file.Lines})")));
    }

    /// <summary>Folder → the folders its files name.</summary>
    private static Dictionary<string, HashSet<string>> Uses()
    {
        var folders = Directory.GetDirectories(Source).Select(Path.GetFileName).Where(name => name is not ("bin" or "obj")).ToHashSet()!;
        var uses = folders.ToDictionary(folder => folder!, _ => new HashSet<string>());
        foreach (var folder in folders)
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(Source, folder!), "*.cs", SearchOption.AllDirectories))
            {
                var code = Comment().Replace(File.ReadAllText(file), "");
                foreach (Match named in Named().Matches(code))
                {
                    var other = named.Groups[1].Value;
                    if (other != folder && folders.Contains(other))
                    {
                        uses[folder!].Add(other);
                    }
                }
            }
        }

        return uses;
    }

    /// <summary>Every path from <paramref name="start"/> that comes back to it, through folders other than the exempt one.</summary>
    private static IEnumerable<List<string>> PathsBack(Dictionary<string, HashSet<string>> uses, string start)
    {
        var stack = new Stack<List<string>>();
        stack.Push([start]);
        while (stack.Count > 0)
        {
            var path = stack.Pop();
            foreach (var next in uses[path[^1]].Where(next => next != Exempt))
            {
                if (next == start)
                {
                    yield return [.. path, next];
                }
                else if (!path.Contains(next))
                {
                    stack.Push([.. path, next]);
                }
            }
        }
    }

    [GeneratedRegex(@"EdgeGuard\.Proxy\.([A-Za-z]+)")]
    private static partial Regex Named();

    [GeneratedRegex(@"//[^\n]*|/\*.*?\*/", RegexOptions.Singleline)]
    private static partial Regex Comment();
}
