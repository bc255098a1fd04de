// Reads products never read before through a gateway at a steady rate and writes one line per read:
// "<ms since start> <status> <X-EdgeGuard-Source or ->" (000: no answer), after a first line "# start <unix ms>".
// Runs until the file named by <stop file> exists.
// A .NET 10 file-based app with no packages:
//
//   dotnet run --file bench/recovery/probe.cs -- <base url> <ids file> <out file> <stop file> [reads per second]
using System.Diagnostics;
using System.Globalization;

if (args.Length < 4)
{
    Console.Error.WriteLine("usage: dotnet run --file bench/recovery/probe.cs -- <base url> <ids file> <out file> <stop file> [reads per second]");
    return 2;
}

var (baseUrl, idsFile, outFile, stopFile) = (args[0], args[1], args[2], args[3]);
var perSecond = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 20;
var ids = File.ReadAllLines(idsFile);
using var client = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(15) };
using var output = new StreamWriter(outFile) { AutoFlush = true };
output.WriteLine($"# start {DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}");
var clock = Stopwatch.StartNew();
var interval = TimeSpan.FromSeconds(1.0 / perSecond);
var next = 0;
var reads = new List<Task>();
using var timer = new PeriodicTimer(interval);
while (!File.Exists(stopFile) && next < ids.Length && await timer.WaitForNextTickAsync())
{
    var id = ids[next++];
    reads.Add(ReadAsync(id));
}

await Task.WhenAll(reads);
return 0;

async Task ReadAsync(string id)
{
    var started = clock.ElapsedMilliseconds;
    string status, source;
    try
    {
        using var response = await client.GetAsync("/products/" + id);
        status = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
        source = response.Headers.TryGetValues("X-EdgeGuard-Source", out var values) ? string.Join(",", values) : "-";
    }
    catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
    {
        (status, source) = ("000", "-");
    }

    lock (output)
    {
        output.WriteLine($"{started} {status} {source}");
    }
}
