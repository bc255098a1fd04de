// The ceiling for a short-circuit on this stack: Kestrel + routing answering 404 to GET /products/{id},
// with the same JSON shape EdgeGuard sends for a Bloom reject, and doing nothing else.
// Used only by bench/load/run.sh; run it with --urls http://127.0.0.1:PORT.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, NotFoundBodyJson.Default));

var app = builder.Build();
app.MapGet("/products/{id}", (string id) =>
    Results.Json(new NotFoundBody(id, false, "bloom"), NotFoundBodyJson.Default.NotFoundBody, statusCode: StatusCodes.Status404NotFound));
app.Run();
