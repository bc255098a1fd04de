namespace EdgeGuard.Proxy.Tests.Infrastructure;

/// <summary>Holds one side of a race at an exact point: it signals <see cref="Arrived"/> there and waits for <see cref="Release"/>.</summary>
public sealed class Latch
{
    private readonly TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Arrived => _arrived.Task;

    public Task Released => _released.Task;

    public void Arrive() => _arrived.TrySetResult();

    public void Release() => _released.TrySetResult();
}
