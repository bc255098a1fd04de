namespace EdgeGuard.Testing.Gateways;

/// <summary>A test gateway's own directory: its products file and its filter snapshot. Disposing deletes it.</summary>
public sealed class GatewayFiles : IDisposable
{
    private GatewayFiles(string directory)
    {
        Directory = directory;
    }

    public string Directory { get; }

    /// <summary>The products file (<c>PRODUCTS_FILE</c>); a test may append ids to it before a reload.</summary>
    public string ProductsFile => Path.Combine(Directory, "products.txt");

    /// <summary>The gateway's local filter snapshot (<c>EdgeGuard:Bloom:SnapshotPath</c>).</summary>
    public string SnapshotFile => Path.Combine(Directory, "filter.snapshot");

    internal static GatewayFiles Create(IEnumerable<string> ids)
    {
        var files = new GatewayFiles(System.IO.Directory.CreateTempSubdirectory("edgeguard-gateway-").FullName);
        File.WriteAllLines(files.ProductsFile, ids);
        return files;
    }

    public void Dispose() => TemporaryDirectory.Delete(Directory);
}
