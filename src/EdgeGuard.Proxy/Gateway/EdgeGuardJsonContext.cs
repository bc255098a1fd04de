using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc;

namespace EdgeGuard.Proxy.Gateway;

/// <summary>The gateway's own 404 body: <c>{"productId", "exists": false, "source"}</c>.</summary>
public sealed record ProductAbsent(string ProductId, bool Exists, string Source);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ProductAbsent))]
[JsonSerializable(typeof(ProblemDetails))]
internal sealed partial class EdgeGuardJsonContext : JsonSerializerContext;
