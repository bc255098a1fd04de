namespace EdgeGuard.Testing;

/// <summary>Paths in the repository the tests and benchmarks run from.</summary>
public static class Repository
{
    /// <summary>The repository root (where EdgeGuard.sln is), found from the running binaries upwards.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>Debug when the running binaries were built in Debug, else Release (the same as the gateway's).</summary>
    public static string Configuration { get; } =
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "EdgeGuard.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"EdgeGuard.sln was not found above {AppContext.BaseDirectory}.");
    }
}
