namespace EdgeGuard.Proxy.Cluster;

/// <summary>
/// Wakes the loop that applies the filter stream: rung on every append (a Redis channel), on a reload request, on a
/// capture and by a writer waiting for its own entry. A ring while nobody waits is kept for the next wait.
/// </summary>
public sealed class Doorbell : IDisposable
{
    private readonly SemaphoreSlim _rings = new(0, int.MaxValue);

    public void Ring() => _rings.Release();

    /// <summary>Waits for a ring or <paramref name="timeout"/>, whichever comes first.</summary>
    public Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _rings.WaitAsync(timeout, cancellationToken);

    public void Dispose() => _rings.Dispose();
}
