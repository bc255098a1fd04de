using System.Text.Json.Serialization;

namespace EdgeGuard.Proxy.Cluster;

[JsonSerializable(typeof(IReadOnlyList<OpenWrite>))]
internal sealed partial class ClusterJsonContext : JsonSerializerContext;
