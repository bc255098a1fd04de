using EdgeGuard.Filter;

namespace EdgeGuard.Proxy.Filtering.Sources;

/// <summary>The configured id sources, in the order they are read.</summary>
public sealed class IdSourceSet(IEnumerable<IIdSource> sources)
{
    public IReadOnlyList<IIdSource> All { get; } =
        [.. sources.Where(source => source is not IdSourceServiceCollectionExtensions.NoSource)];

    /// <summary>The sources that can also report ids added since they were last read.</summary>
    public IEnumerable<IIncrementalIdSource> Incremental => All.OfType<IIncrementalIdSource>();
}
