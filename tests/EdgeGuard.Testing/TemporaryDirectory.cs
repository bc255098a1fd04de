namespace EdgeGuard.Testing;

/// <summary>Temporary directories the servers keep their files in.</summary>
public static class TemporaryDirectory
{
    /// <summary>Deletes <paramref name="path"/> and everything in it; one that is gone or busy is left (the OS cleans /tmp).</summary>
    public static void Delete(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
