namespace CatalogBackend.Tests.Support;

/// <summary>A fresh directory under the system temp folder, deleted (with its SQLite files) on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "catalog-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        // No SqliteConnection.ClearAllPools() here: it clears every pool in the process, and disposed the connection a
        // test running beside this one was using (ConcurrencyTests saw a PUT fail with ObjectDisposedException). A file
        // still held open by a pooled connection is deleted all the same on Linux.
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file still open elsewhere: the temp folder is cleaned eventually.
        }
    }
}
