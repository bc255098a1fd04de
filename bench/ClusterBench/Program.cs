using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

// Measures what the cluster's write guarantee costs and how fast an announcement reaches every instance:
//   creates through the given gateways in turn, each read right after its 201 through every other gateway
//   (must be 200 the first time), and POST /bloom/ids announcements (they answer once every instance applied).
// Usage: ClusterBench --gateways http://a,http://b,http://c --creates 2000 --concurrency 8 --label cluster
//                     [--announcements 200 --admin-key KEY]
var arguments = Args.Parse(args);
var gateways = arguments.Get("gateways").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(url => new Uri(url)).ToArray();
var creates = int.Parse(arguments.Get("creates", "2000"), CultureInfo.InvariantCulture);
var concurrency = int.Parse(arguments.Get("concurrency", "8"), CultureInfo.InvariantCulture);
var announcements = int.Parse(arguments.Get("announcements", "0"), CultureInfo.InvariantCulture);
var label = arguments.Get("label", "run");
var run = DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture);
var clients = gateways.Select(url => new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = url }).ToArray();

// Warm-up: connections open, JIT done.
for (var i = 0; i < 50; i++)
{
    using var warm = await clients[i % clients.Length].PostAsJsonAsync("/products", new { id = $"WARM-{label}-{run}-{i}", name = "warm", price = 1 });
}

var createTimes = new List<double>();
var readTimes = new List<double>();
var notFound = 0;
var refused = 0;
var wall = Stopwatch.StartNew();
await Parallel.ForEachAsync(Enumerable.Range(0, creates), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, _) =>
{
    var id = $"B-{label}-{run}-{i:D6}";
    var writer = i % clients.Length;
    var started = Stopwatch.GetTimestamp();
    using var created = await clients[writer].PostAsJsonAsync("/products", new { id, name = "Bench", price = 1 });
    var createMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    if (created.StatusCode != HttpStatusCode.Created)
    {
        Interlocked.Increment(ref refused);
        return;
    }

    lock (createTimes)
    {
        createTimes.Add(createMs);
    }

    for (var other = 1; other < Math.Max(2, clients.Length); other++)
    {
        var reader = clients[(writer + other) % clients.Length];
        var readStarted = Stopwatch.GetTimestamp();
        using var read = await reader.GetAsync($"/products/{id}");
        var readMs = Stopwatch.GetElapsedTime(readStarted).TotalMilliseconds;
        if (read.StatusCode != HttpStatusCode.OK)
        {
            Interlocked.Increment(ref notFound);
        }

        lock (readTimes)
        {
            readTimes.Add(readMs);
        }
    }
});
wall.Stop();

var announceTimes = new List<double>();
if (announcements > 0)
{
    var key = arguments.Get("admin-key");
    for (var i = 0; i < announcements; i++)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/bloom/ids") { Content = JsonContent.Create(new[] { $"ANN-{label}-{run}-{i:D5}" }) };
        request.Headers.Add("X-Admin-Key", key);
        var started = Stopwatch.GetTimestamp();
        using var response = await clients[i % clients.Length].SendAsync(request);
        response.EnsureSuccessStatusCode();
        announceTimes.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }
}

var lags = new List<long>();
foreach (var client in clients)
{
    using var stats = JsonDocument.Parse(await client.GetStringAsync("/bloom/stats"));
    lags.Add(stats.RootElement.TryGetProperty("sync_lag_ms", out var lag) ? lag.GetInt64() : 0);
}

Console.WriteLine(JsonSerializer.Serialize(new
{
    label,
    instances = clients.Length,
    creates = createTimes.Count,
    refused,
    createsPerSecond = Math.Round(createTimes.Count / wall.Elapsed.TotalSeconds, 1),
    createP50Ms = Percentile(createTimes, 0.50),
    createP99Ms = Percentile(createTimes, 0.99),
    readsAfterCreate = readTimes.Count,
    readsAfterCreateNot200 = notFound,
    readAfterCreateP50Ms = Percentile(readTimes, 0.50),
    readAfterCreateP99Ms = Percentile(readTimes, 0.99),
    announcements = announceTimes.Count,
    announceP50Ms = Percentile(announceTimes, 0.50),
    announceP99Ms = Percentile(announceTimes, 0.99),
    syncLagMsAtEnd = lags,
}));
return notFound == 0 ? 0 : 1;

static double Percentile(List<double> values, double share)
{
    if (values.Count == 0)
    {
        return 0;
    }

    var sorted = values.Order().ToList();
    return Math.Round(sorted[(int)Math.Min(sorted.Count - 1, Math.Ceiling(share * sorted.Count) - 1)], 2);
}

internal sealed class Args(Dictionary<string, string> values)
{
    public static Args Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            values[args[i].TrimStart('-')] = args[i + 1];
        }

        return new Args(values);
    }

    public string Get(string name, string? fallback = null) =>
        values.TryGetValue(name, out var value) ? value : fallback ?? throw new ArgumentException($"--{name} is required.");
}
