// The ceiling for a short-circuit on this stack: Kestrel + routing answering 404 to GET /products/{id},
// with the same JSON shape EdgeGuard sends for a Bloom reject, and doing nothing else.
// Used only by bench/load/run.sh; run it with --urls http://127.0.0.1:PORT.
using System.Text.Json.Serialization;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, BareJson.Default));

var app = builder.Build();
app.MapGet("/products/{id}", (string id) =>
    Results.Json(new NotFoundBody(id, false, "bloom"), BareJson.Default.NotFoundBody, statusCode: StatusCodes.Status404NotFound));
app.Run();

internal sealed record NotFoundBody(
    [property: JsonPropertyName("productId")] string ProductId,
    [property: JsonPropertyName("exists")] bool Exists,
    [property: JsonPropertyName("source")] string Source);

[JsonSerializable(typeof(NotFoundBody))]
internal sealed partial class BareJson : JsonSerializerContext;
