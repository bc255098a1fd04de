namespace CatalogBackend;

/// <summary>Whether start-up seeding has finished; read by the health check and the product endpoints.</summary>
public sealed class SeedingState
{
    private readonly TaskCompletionSource<SeedResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsComplete => _completion.Task.IsCompletedSuccessfully;

    public Exception? Failure => _completion.Task.Exception?.InnerException;

    public SeedResult? Result => IsComplete ? _completion.Task.Result : null;

    public void Complete(SeedResult result) => _completion.TrySetResult(result);

    public void Fail(Exception exception) => _completion.TrySetException(exception);

    /// <summary>Completes when seeding has finished; throws if it failed.</summary>
    public Task WaitAsync(CancellationToken cancellationToken) => _completion.Task.WaitAsync(cancellationToken);
}
