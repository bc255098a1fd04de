// The body EdgeGuard sends for a Bloom reject, for the baselines that imitate it (bench/BareKestrel and
// bench/YarpPassthrough with REJECT_IN_PIPELINE=1): one definition, so every ceiling writes the same bytes.
using System.Text.Json.Serialization;

internal sealed record NotFoundBody(
    [property: JsonPropertyName("productId")] string ProductId,
    [property: JsonPropertyName("exists")] bool Exists,
    [property: JsonPropertyName("source")] string Source);

[JsonSerializable(typeof(NotFoundBody))]
internal sealed partial class NotFoundBodyJson : JsonSerializerContext;
