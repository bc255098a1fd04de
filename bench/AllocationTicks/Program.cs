// Allocation profile of a gateway under load, from a dotnet-trace recording (see bench/load/profile.sh).
// The runtime raises an AllocationTick event about every 100 KB allocated, naming the type that crossed
// the mark: summed per type, that is a sampled picture of what was allocated, good to about a percent of
// the total over a few hundred MB. Divided by the requests served during the recording, it gives bytes
// per request, which is what differs between two builds of the same request path.
//
// usage: AllocationTicks <trace.nettrace> <requests served> [top N types]
using Microsoft.Diagnostics.Tracing;

if (args.Length < 2 || !long.TryParse(args[1], out var requests) || requests <= 0)
{
    Console.Error.WriteLine("usage: AllocationTicks <trace.nettrace> <requests served> [top N types]");
    return 2;
}

var top = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 25;
var bytesByType = new Dictionary<string, long>(StringComparer.Ordinal);
var exceptions = new Dictionary<string, int>(StringComparer.Ordinal);
var collections = new int[3];

using (var source = new EventPipeEventSource(args[0]))
{
    source.Clr.GCAllocationTick += e =>
        bytesByType[e.TypeName ?? "?"] = bytesByType.GetValueOrDefault(e.TypeName ?? "?") + e.AllocationAmount64;
    source.Clr.GCStart += e => collections[Math.Min(e.Depth, 2)]++;
    source.Clr.ExceptionStart += e =>
        exceptions[e.ExceptionType] = exceptions.GetValueOrDefault(e.ExceptionType) + 1;
    source.Process();
}

var total = bytesByType.Values.Sum();
Console.WriteLine($"{requests:N0} requests; allocated {total / 1e6:F1} MB = {total / (double)requests:F0} B/request; " +
    $"GCs: gen0 {collections[0]}, gen1 {collections[1]}, gen2 {collections[2]}");
foreach (var (type, bytes) in bytesByType.OrderByDescending(p => p.Value).Take(top))
{
    Console.WriteLine($"{bytes / (double)requests,8:F0} B/request {100.0 * bytes / total,5:F1} %  {type}");
}

foreach (var (type, count) in exceptions.OrderByDescending(p => p.Value))
{
    Console.WriteLine($"exceptions: {count} x {type}");
}

return 0;
