namespace EdgeGuard.Proxy.Filtering.Sources;

/// <summary>
/// A source that can also hand its ids over in chunks of characters it reuses, so that a full read allocates no string
/// per id. The builder reads such a source this way; <see cref="IIdSource.ReadAllAsync"/> still yields the same ids.
/// </summary>
public interface IChunkedIdSource : IIdSource
{
    /// <summary>
    /// Streams every id <see cref="IIdSource.ReadAllAsync"/> yields, spelled the same and in the same order, a chunk at a
    /// time. A chunk is the source's own buffer: its ids are valid until the next chunk is asked for. Throws as
    /// <see cref="IIdSource.ReadAllAsync"/> does.
    /// </summary>
    IAsyncEnumerable<IdChunk> ReadChunksAsync(CancellationToken cancellationToken);
}
