namespace EdgeGuard.Proxy.Writes;

/// <summary>What a write does to the product: creates or replaces it, or deletes it.</summary>
public enum WriteKind
{
    /// <summary><c>POST</c>/<c>PUT</c>: after a 2xx the id exists, so it enters the filter.</summary>
    Upsert,

    /// <summary><c>DELETE</c>: after a 2xx only cached answers go; the filter gains nothing (ids are never removed).</summary>
    Delete,
}

/// <summary>
/// Keeps the filter and the caches honest about one write forwarded to the catalog, on this instance or on
/// every instance of the cluster:
/// <list type="number">
/// <item><see cref="BeginAsync"/>, before the write is forwarded: the id becomes pending (reads of it are
/// forwarded, never rejected, never answered from a cache) wherever it could be read;</item>
/// <item>then exactly one of <see cref="IPendingWrite.CommitAsync"/> (the catalog answered 2xx),
/// <see cref="IPendingWrite.AbortAsync"/> (it refused, or never saw the write) or
/// <see cref="IPendingWrite.Unresolved"/> (nobody knows: the id stays pending until the catalog is asked).</item>
/// </list>
/// </summary>
public interface IWriteCoordinator
{
    /// <summary>Makes <paramref name="id"/> pending before the write is forwarded.</summary>
    /// <exception cref="Filtering.WriteRefusedException">It cannot be made safe now (too many writes in flight, the
    /// cluster unreachable): the write must be refused before anything is forwarded.</exception>
    ValueTask<IPendingWrite> BeginAsync(string id, WriteKind kind, CancellationToken cancellationToken);
}

/// <summary>A write under way; see <see cref="IWriteCoordinator"/>. Disposing it without an outcome is <see cref="Unresolved"/>.</summary>
public interface IPendingWrite : IAsyncDisposable
{
    string Id { get; }

    WriteKind Kind { get; }

    /// <summary>The catalog accepted the write: an upsert's id enters the filter, and the id's cached answers
    /// are removed, everywhere, before this returns (so before the client can see the 2xx).</summary>
    ValueTask CommitAsync(CancellationToken cancellationToken);

    /// <summary>The catalog refused the write, or it never reached the catalog: the filter stays as it was.</summary>
    ValueTask AbortAsync();

    /// <summary>Nobody knows whether the catalog took the write (the answer never came back): the id stays
    /// pending while the catalog is asked, then it is committed or aborted by what the catalog says.</summary>
    void Unresolved();
}
