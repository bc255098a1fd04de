namespace EdgeGuard.Testing;

/// <summary>
/// Finds a program the tests need. A missing one fails the test with how to install it: tests that need a real
/// Redis or PostgreSQL are never skipped.
/// </summary>
public static class RequiredExecutable
{
    private static readonly string[] WellKnownDirectories = ["/usr/bin", "/usr/local/bin", "/usr/sbin", "/usr/local/sbin"];

    /// <summary>The path of <paramref name="name"/> on PATH or in the usual directories, or null.</summary>
    public static string? TryFind(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
        .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Concat(WellKnownDirectories)
        .Select(directory => Path.Combine(directory, name))
        .FirstOrDefault(File.Exists);

    /// <summary>The path of <paramref name="name"/>; throws, naming the Debian package, when it is not installed.</summary>
    public static string Find(string name, string debianPackage) =>
        TryFind(name) ?? throw new InvalidOperationException(
            $"{name} was not found (looked on PATH and in {string.Join(", ", WellKnownDirectories)}). Install it with " +
            $"`apt-get install -y {debianPackage}` (./test.sh installs it when it is missing).");
}
