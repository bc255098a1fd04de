using System.Globalization;
using System.Net;

namespace EdgeGuard.Testing;

/// <summary>
/// An external process that serves on a loopback port, with a temporary directory of its own (its data, its
/// configuration) that is deleted once it is gone.
/// </summary>
public abstract class ServerProcess(int port, string directory) : ExternalProcess
{
    public int Port { get; } = port;

    /// <summary>The server's own temporary directory.</summary>
    public string Directory { get; } = directory;

    /// <summary>A new temporary directory whose name starts with <paramref name="prefix"/>.</summary>
    protected static string NewDirectory(string prefix) => System.IO.Directory.CreateTempSubdirectory(prefix).FullName;

    protected override ValueTask CleanUpAsync()
    {
        TemporaryDirectory.Delete(Directory);
        return ValueTask.CompletedTask;
    }
}

/// <summary>A <see cref="ServerProcess"/> that speaks HTTP: ready once its health path answers 200.</summary>
public abstract class HttpServerProcess : ServerProcess
{
    private readonly HttpClient _probe;

    /// <param name="address">The address it listens on (default: 127.0.0.1).</param>
    protected HttpServerProcess(int port, string directory, IPAddress? address = null) : base(port, directory)
    {
        Url = $"http://{(address ?? IPAddress.Loopback).ToString()}:{port.ToString(CultureInfo.InvariantCulture)}";
        _probe = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
    }

    /// <summary>Where it serves: <c>http://127.0.0.1:port</c>, or the address it was given.</summary>
    public string Url { get; }

    public Uri BaseAddress => new(Url);

    /// <summary>The path that answers 200 once the server serves.</summary>
    protected abstract string HealthPath { get; }

    protected override async Task<bool> IsReadyAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _probe.GetAsync(HealthPath, cancellationToken);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (Exception e) when ((e is HttpRequestException or TaskCanceledException) && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    protected override ValueTask CleanUpAsync()
    {
        _probe.Dispose();
        return base.CleanUpAsync();
    }
}
