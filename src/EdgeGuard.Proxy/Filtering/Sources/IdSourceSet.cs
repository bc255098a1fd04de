namespace EdgeGuard.Proxy.Filtering.Sources;

/// <summary>The configured id sources, in the order they are read.</summary>
public sealed class IdSourceSet(IEnumerable<IIdSource> sources)
{
    public IReadOnlyList<IIdSource> All { get; } =
        [.. sources.Where(source => source is not IdSourceServiceCollectionExtensions.NoSource)];

    /// <summary>Which sources these are, as a filter snapshot records them (see <see cref="IIdSource.Identity"/>).</summary>
    public string Identity => string.Join("; ", All.Select(source => $"{source.Name} {source.Identity}"));

    /// <summary>The sources that can also report ids added since they were last read.</summary>
    public IEnumerable<IIncrementalIdSource> Incremental => All.OfType<IIncrementalIdSource>();
}
