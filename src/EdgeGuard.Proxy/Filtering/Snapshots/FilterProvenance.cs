using System.Text.Json;
using System.Text.Json.Serialization;

namespace EdgeGuard.Proxy.Filtering.Snapshots;

/// <summary>
/// Where a filter's ids come from, kept with every snapshot of it: which sources (their identities, see
/// <see cref="Sources.IdSourceSet.Identity"/>), when they were read, and how far it covers each source that can say
/// (its position then, see <see cref="Sources.IIdSource.PositionAsync"/>). A restart decides from it whether the
/// snapshot may reject (<see cref="SnapshotRestorer"/>).
/// </summary>
/// <param name="Sources">The identities of the sources the filter was built from.</param>
/// <param name="ReadAt">When the build began to read them: an id created before this is in the filter.</param>
/// <param name="Positions">Source name to position, for the sources that have one.</param>
public sealed record FilterProvenance(string Sources, DateTimeOffset ReadAt, IReadOnlyDictionary<string, string> Positions)
{
    public string ToJson() => JsonSerializer.Serialize(this, ProvenanceJsonContext.Default.FilterProvenance);

    /// <summary>The provenance written by <see cref="ToJson"/>, or null for anything else (an older snapshot has none).</summary>
    public static FilterProvenance? FromJson(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(json, ProvenanceJsonContext.Default.FilterProvenance) is { Sources: not null, Positions: not null } provenance
                ? provenance
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The same, with the positions of <paramref name="moved"/> as they are now.</summary>
    public FilterProvenance With(IReadOnlyDictionary<string, string> moved)
    {
        var positions = new Dictionary<string, string>(Positions, StringComparer.Ordinal);
        foreach (var (name, position) in moved)
        {
            positions[name] = position;
        }

        return this with { Positions = positions };
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(FilterProvenance))]
internal sealed partial class ProvenanceJsonContext : JsonSerializerContext;
