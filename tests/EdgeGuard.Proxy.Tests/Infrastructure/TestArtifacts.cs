namespace EdgeGuard.Proxy.Tests.Infrastructure;

/// <summary>Where tests leave files for a person to look at (screenshots): the run's results directory.</summary>
public static class TestArtifacts
{
    /// <summary><c>EDGEGUARD_TEST_RESULTS</c> (test.sh sets it to its TestResults directory, beside the TRX files), else
    /// <c>TestResults</c> at the repository root.</summary>
    public static string Directory(string subdirectory)
    {
        var root = Environment.GetEnvironmentVariable("EDGEGUARD_TEST_RESULTS") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Repository.Root, "TestResults");
        return System.IO.Directory.CreateDirectory(Path.Combine(root, subdirectory)).FullName;
    }
}
