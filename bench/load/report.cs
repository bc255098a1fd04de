// Renders the raw results of bench/load/run.sh into bench/RESULTS.md's "HTTP load (wrk)" section and an
// SVG chart. A .NET 10 file-based app with no packages, so a fresh machine with the SDK can run it:
//
//   dotnet run --file bench/load/report.cs -- <out dir> <RESULTS.md> <chart.svg>
//
// Reads <out dir>/runs.jsonl (one line per measured wrk run) and <out dir>/meta.tsv. In RESULTS.md only
// the block between the http-load markers is replaced (appended at the end if absent); everything else
// in the file (the BenchmarkDotNet section) is left as it is.
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

if (args.Length != 3)
{
    Console.Error.WriteLine("usage: dotnet run --file bench/load/report.cs -- <out dir> <RESULTS.md> <chart.svg>");
    return 2;
}

var outDir = args[0];
var resultsPath = args[1];
var svgPath = args[2];
var meta = Report.ReadMeta(Path.Combine(outDir, "meta.tsv"));
var runs = Report.ReadRuns(Path.Combine(outDir, "runs.jsonl"));
if (runs.Count == 0)
{
    Console.Error.WriteLine($"no runs in {outDir}/runs.jsonl");
    return 1;
}

var cells = Report.Aggregate(runs);
var svgRelative = Path.GetRelativePath(Path.GetDirectoryName(Path.GetFullPath(resultsPath))!, Path.GetFullPath(svgPath)).Replace('\\', '/');
var section = Report.Markdown(meta, cells, svgRelative);
Report.WriteSection(resultsPath, section);
File.WriteAllText(svgPath, Chart.Svg(meta, cells));
Console.WriteLine($"wrote {resultsPath} (HTTP load section) and {svgPath} from {runs.Count} runs");
return 0;

internal sealed record Run(
    string Scenario, string Target, int Round, double DurationS, int Connections, long Requests,
    double Rps, double P50Ms, double P99Ms, double MeanMs, long Non2xx, long? Status404, long SocketErrors,
    long DbQueries, long? GatewayUpstream, long? Bursts, long? MaxBurst, double? TtlS, long Wrapped,
    IReadOnlyDictionary<string, long>? Sources, double? CpuTargetMs, double? CpuRedisMs, double? MachineBusyPct, Legit? Legit);

/// <summary>The legitimate client measured alongside an attack scenario (its own wrk, hot ids, its own address).</summary>
internal sealed record Legit(double Rps, double P50Ms, double P99Ms, double Non2xxPct);

internal sealed record Stat(double Median, double Min, double Max, int N)
{
    public static Stat? Of(IEnumerable<double> values)
    {
        var v = values.Where(x => !double.IsNaN(x)).OrderBy(x => x).ToArray();
        if (v.Length == 0)
        {
            return null;
        }

        var median = v.Length % 2 == 1 ? v[v.Length / 2] : (v[(v.Length / 2) - 1] + v[v.Length / 2]) / 2;
        return new Stat(median, v[0], v[^1], v.Length);
    }
}

internal sealed record Cell(
    string Scenario, string Target, IReadOnlyList<Run> Runs, Stat Rps, Stat P50, Stat P99, Stat Non2xxPct,
    Stat? Status404Pct, Stat DbPer1k, Stat? GatewayUpstreamPer1k, Stat? UpstreamPerExpiry, Stat? Bursts, Stat? MaxBurst,
    long SocketErrors, long Wrapped, IReadOnlyDictionary<string, double>? SourcePct,
    Stat? CpuUsPerReq, Stat? RedisCpuUsPerReq, Stat? MachineBusyPct,
    Stat? DbPerSecond, Stat? LegitRps, Stat? LegitP50, Stat? LegitP99, Stat? LegitNon2xxPct);

internal static class Report
{
    public static readonly string[] Scenarios = ["penetration", "missing_repeated", "hot", "mixed", "cold", "stampede", "precomputed_fp", "sweep"];

    /// <summary>Scenarios with an attacker and a legitimate client measured alongside it.</summary>
    public static readonly string[] AttackScenarios = ["precomputed_fp", "sweep"];

    public static readonly string[] Targets = ["edgeguard", "edgeguard-before", "edgeguard-before2", "edgeguard-redis", "edgeguard-budget", "nginx", "nginx-limit", "catalog", "bare-kestrel", "yarp-passthrough"];

    public static readonly Dictionary<string, string> ScenarioTitle = new()
    {
        ["penetration"] = "1. Penetration attack: a unique random missing id per request",
        ["missing_repeated"] = "2. One missing id, repeated",
        ["hot"] = "3. Hot existing ids (100 ids, cache hits)",
        ["mixed"] = "4. Mixed: 70% existing ids (Zipf s=1 over 10,000), 30% unique missing ids",
        ["cold"] = "5. Cold existing ids: every request a different existing id",
        ["stampede"] = "6. Expiry stampede: one hot id, short TTL",
        ["precomputed_fp"] = "7. Precomputed false positives: absent ids computed offline to pass an unkeyed filter of the same ids, with a legitimate client alongside",
        ["sweep"] = "8. Sweep: one client walking real ids in order, every request a cold miss, with a legitimate client alongside",
    };

    public static readonly Dictionary<string, string> ScenarioShort = new()
    {
        ["penetration"] = "1 penetration",
        ["missing_repeated"] = "2 repeated missing id",
        ["hot"] = "3 hot ids",
        ["mixed"] = "4 mixed",
        ["cold"] = "5 cold ids",
        ["stampede"] = "6 expiry stampede",
        ["precomputed_fp"] = "7 precomputed false positives",
        ["sweep"] = "8 sweep",
    };

    public static readonly Dictionary<string, string> TargetName = new()
    {
        ["edgeguard"] = "EdgeGuard (embedded cache)",
        ["edgeguard-before"] = "EdgeGuard, " + (Environment.GetEnvironmentVariable("BEFORE_LABEL") is { Length: > 0 } a ? a : "another build (A/B)"),
        ["edgeguard-before2"] = "EdgeGuard, " + (Environment.GetEnvironmentVariable("BEFORE2_LABEL") is { Length: > 0 } b ? b : "a second other build (A/B)"),
        ["edgeguard-redis"] = "EdgeGuard (Redis)",
        ["edgeguard-budget"] = "EdgeGuard + per-client budget",
        ["nginx"] = "nginx proxy_cache",
        ["nginx-limit"] = "nginx + limit_req per client",
        ["catalog"] = "catalog, unprotected",
        ["bare-kestrel"] = "bare Kestrel 404",
        ["yarp-passthrough"] = "YARP pass-through",
    };

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Dictionary<string, string> ReadMeta(string path)
    {
        var meta = new Dictionary<string, string>(StringComparer.Ordinal);
        if (File.Exists(path))
        {
            foreach (var line in File.ReadLines(path))
            {
                var tab = line.IndexOf('\t', StringComparison.Ordinal);
                if (tab > 0)
                {
                    meta[line[..tab]] = line[(tab + 1)..];
                }
            }
        }

        return meta;
    }

    public static List<Run> ReadRuns(string path)
    {
        var runs = new List<Run>();
        foreach (var line in File.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            using var doc = JsonDocument.Parse(line);
            var r = doc.RootElement;
            var wrk = r.GetProperty("wrk");
            var requests = wrk.GetProperty("requests").GetInt64();
            var durationUs = wrk.GetProperty("duration_us").GetDouble();
            var errors = wrk.GetProperty("errors");
            var latency = wrk.GetProperty("latency_us");
            long? status404 = wrk.TryGetProperty("status", out var st) ? st.GetProperty("404").GetInt64() : null;
            Dictionary<string, long>? sources = null;
            if (wrk.TryGetProperty("sources", out var src))
            {
                sources = src.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64(), StringComparer.Ordinal);
            }

            runs.Add(new Run(
                r.GetProperty("scenario").GetString()!,
                r.GetProperty("target").GetString()!,
                r.GetProperty("round").GetInt32(),
                r.GetProperty("duration_s").GetDouble(),
                r.GetProperty("connections").GetInt32(),
                requests,
                requests / (durationUs / 1e6),
                latency.GetProperty("p50").GetDouble() / 1000,
                latency.GetProperty("p99").GetDouble() / 1000,
                latency.GetProperty("mean").GetDouble() / 1000,
                errors.GetProperty("status").GetInt64(),
                status404,
                errors.GetProperty("connect").GetInt64() + errors.GetProperty("read").GetInt64()
                    + errors.GetProperty("write").GetInt64() + errors.GetProperty("timeout").GetInt64(),
                r.GetProperty("db_after").GetInt64() - r.GetProperty("db_before").GetInt64(),
                Delta(r, "gw_upstream_before", "gw_upstream_after"),
                r.TryGetProperty("expiry_bursts", out var b) && b.ValueKind == JsonValueKind.Number ? b.GetInt64() : null,
                r.TryGetProperty("max_burst", out var mb) && mb.ValueKind == JsonValueKind.Number ? mb.GetInt64() : null,
                r.TryGetProperty("ttl_s", out var ttl) && ttl.ValueKind == JsonValueKind.Number ? ttl.GetDouble() : null,
                wrk.TryGetProperty("wrapped", out var w) ? w.GetInt64() : 0,
                sources,
                r.TryGetProperty("cpu_ms", out var cpu) ? cpu.GetProperty("target").GetDouble() : null,
                r.TryGetProperty("cpu_ms", out var cpu2) ? cpu2.GetProperty("redis").GetDouble() : null,
                r.TryGetProperty("machine_busy_pct", out var busy) && busy.ValueKind == JsonValueKind.Number ? busy.GetDouble() : null,
                r.TryGetProperty("legit", out var legit) && legit.ValueKind == JsonValueKind.Object ? ReadLegit(legit) : null));
        }

        return runs;
    }

    private static Legit ReadLegit(JsonElement wrk)
    {
        var requests = wrk.GetProperty("requests").GetInt64();
        var latency = wrk.GetProperty("latency_us");
        return new Legit(
            requests / (wrk.GetProperty("duration_us").GetDouble() / 1e6),
            latency.GetProperty("p50").GetDouble() / 1000,
            latency.GetProperty("p99").GetDouble() / 1000,
            requests == 0 ? double.NaN : 100.0 * wrk.GetProperty("errors").GetProperty("status").GetInt64() / requests);
    }

    private static long? Delta(JsonElement r, string before, string after) =>
        r.TryGetProperty(before, out var b) && b.ValueKind == JsonValueKind.Number
        && r.TryGetProperty(after, out var a) && a.ValueKind == JsonValueKind.Number
            ? a.GetInt64() - b.GetInt64()
            : null;

    public static Dictionary<(string Scenario, string Target), Cell> Aggregate(List<Run> runs)
    {
        var cells = new Dictionary<(string, string), Cell>();
        foreach (var g in runs.GroupBy(r => (r.Scenario, r.Target)))
        {
            var rs = g.OrderBy(r => r.Round).ToList();
            var hasSources = rs.All(r => r.Sources is not null) && (g.Key.Target is "edgeguard" or "edgeguard-redis" or "edgeguard-budget");
            var legit = rs.All(r => r.Legit is not null) ? rs.Select(r => r.Legit!).ToList() : null;
            Dictionary<string, double>? sourcePct = null;
            if (hasSources)
            {
                var total = rs.Sum(r => r.Requests);
                sourcePct = rs.SelectMany(r => r.Sources!)
                    .GroupBy(kv => kv.Key)
                    .ToDictionary(k => k.Key, k => total == 0 ? 0 : 100.0 * k.Sum(kv => kv.Value) / total, StringComparer.Ordinal);
            }

            var withBursts = rs.Where(r => r.Bursts is > 0).ToList();
            cells[g.Key] = new Cell(
                g.Key.Scenario, g.Key.Target, rs,
                Stat.Of(rs.Select(r => r.Rps))!,
                Stat.Of(rs.Select(r => r.P50Ms))!,
                Stat.Of(rs.Select(r => r.P99Ms))!,
                Stat.Of(rs.Select(r => Pct(r.Non2xx, r.Requests)))!,
                rs.All(r => r.Status404 is not null) ? Stat.Of(rs.Select(r => Pct(r.Status404!.Value, r.Requests))) : null,
                Stat.Of(rs.Select(r => r.Requests == 0 ? double.NaN : 1000.0 * r.DbQueries / r.Requests))!,
                rs.All(r => r.GatewayUpstream is not null) ? Stat.Of(rs.Select(r => r.Requests == 0 ? double.NaN : 1000.0 * r.GatewayUpstream!.Value / r.Requests)) : null,
                withBursts.Count > 0 ? Stat.Of(withBursts.Select(r => (double)r.DbQueries / r.Bursts!.Value)) : null,
                withBursts.Count > 0 ? Stat.Of(withBursts.Select(r => (double)r.Bursts!.Value)) : null,
                withBursts.Count > 0 ? Stat.Of(withBursts.Select(r => (double)(r.MaxBurst ?? 0))) : null,
                rs.Sum(r => r.SocketErrors),
                rs.Sum(r => r.Wrapped),
                sourcePct,
                Stat.Of(rs.Where(r => r.CpuTargetMs is not null && r.Requests > 0).Select(r => 1000.0 * r.CpuTargetMs!.Value / r.Requests)),
                g.Key.Target == "edgeguard-redis"
                    ? Stat.Of(rs.Where(r => r.CpuRedisMs is not null && r.Requests > 0).Select(r => 1000.0 * r.CpuRedisMs!.Value / r.Requests))
                    : null,
                Stat.Of(rs.Where(r => r.MachineBusyPct is not null).Select(r => r.MachineBusyPct!.Value)),
                Stat.Of(rs.Select(r => r.DbQueries / r.DurationS)),
                legit is null ? null : Stat.Of(legit.Select(l => l.Rps)),
                legit is null ? null : Stat.Of(legit.Select(l => l.P50Ms)),
                legit is null ? null : Stat.Of(legit.Select(l => l.P99Ms)),
                legit is null ? null : Stat.Of(legit.Select(l => l.Non2xxPct)));
        }

        return cells;
    }

    private static double Pct(long part, long whole) => whole == 0 ? double.NaN : 100.0 * part / whole;

    public static string F(double v, int decimals) => v.ToString("N" + decimals.ToString(Inv), Inv);

    private static string Range(Stat s, int decimals, string unit = "") =>
        s.N > 1 ? $"{F(s.Median, decimals)}{unit} ({F(s.Min, decimals)}–{F(s.Max, decimals)})" : $"{F(s.Median, decimals)}{unit}";

    private static string Smart(double v) => Math.Abs(v) >= 100 ? F(v, 0) : Math.Abs(v) >= 10 ? F(v, 1) : F(v, 2);

    private static string RangeSmart(Stat s) => s.N > 1 ? $"{Smart(s.Median)} ({Smart(s.Min)}–{Smart(s.Max)})" : Smart(s.Median);

    public static string Markdown(Dictionary<string, string> meta, Dictionary<(string, string), Cell> cells, string svgRelative)
    {
        string M(string key) => meta.TryGetValue(key, out var v) ? v : "?";
        int MI(string key) => int.TryParse(M(key), NumberStyles.Integer, Inv, out var v) ? v : 0;
        var sb = new StringBuilder();
        sb.AppendLine("<!-- http-load:begin — generated by bench/load/report.cs from bench/load/run.sh's raw results; edits here are overwritten -->");
        sb.AppendLine("## HTTP load (wrk)");
        sb.AppendLine();
        var smoke = MI("DURATION") < 10 || MI("ROUNDS") < 3;
        if (smoke)
        {
            sb.AppendLine($"> **Smoke run** ({M("DURATION")} s runs, {M("ROUNDS")} round(s)): this only shows the harness works; the numbers are not the benchmark. Run `bench/load/run.sh` with its defaults on a quiet machine for those.");
            sb.AppendLine();
        }

        sb.AppendLine($"- **Date:** {M("date")}; commit `{M("commit")}`");
        sb.AppendLine($"- **Machine:** {M("cpu")}, {M("cores")} cores, {M("memory")}; {M("os")}");
        sb.AppendLine($"- **Software:** .NET SDK {M("dotnet")}, {M("nginx")}, wrk {M("wrk")}, redis-server {M("redis")}");
        sb.AppendLine($"- **Command:** `{M("command")}`");
        sb.AppendLine($"- **Load:** wrk -t{M("THREADS")} -c{M("CONNECTIONS")}, {M("WARMUP")} s warm-up (not measured) then {M("DURATION")} s measured per run; " +
                      $"stampede -c{M("STAMPEDE_CONNECTIONS")} for {M("STAMPEDE_DURATION")} s with a {M("STAMPEDE_TTL")} s TTL; {M("ROUNDS")} rounds, targets interleaved " +
                      $"(A B C … A B C …) within each scenario; {M("ids")} ids in the catalog and in the gateway's Bloom filter.");
        sb.AppendLine("- **Figures:** median over rounds, (min–max) across rounds. DB queries / 1k = the catalog's `catalog_db_queries_total` " +
                      "read before and after each measured run, per 1,000 requests of that run (each target's own delta; runs never overlap).");
        sb.AppendLine("- **Caveats:** wrk and every server share the same cores, so absolute numbers are lower than on a separate load generator and " +
                      "ratios between fast targets are compressed toward 1. Caches (nginx's, EdgeGuard's) stay warm across rounds, as they " +
                      "would in production; the cold scenario gives every round ids no target has seen, and the penetration ids are unique per run.");
        sb.AppendLine();
        sb.AppendLine($"![requests/s and DB queries per 1,000 requests, per target and scenario]({svgRelative})");
        sb.AppendLine();

        sb.AppendLine("### Targets (issue 5; issue 13's attacks reported)");
        sb.AppendLine();
        foreach (var line in Verdicts(cells))
        {
            sb.AppendLine($"- {line}");
        }

        sb.AppendLine();
        foreach (var scenario in Scenarios)
        {
            var row = Targets.Where(t => cells.ContainsKey((scenario, t))).Select(t => cells[(scenario, t)]).ToList();
            if (row.Count == 0)
            {
                continue;
            }

            sb.AppendLine($"### {ScenarioTitle[scenario]}");
            sb.AppendLine();
            if (AttackScenarios.Contains(scenario))
            {
                AttackTable(sb, row, meta);
                continue;
            }

            var stampede = scenario == "stampede";
            sb.Append("| target | requests/s | p50 ms | p99 ms | non-2xx | 404 | DB queries / 1k req | target CPU µs/req |");
            sb.AppendLine(stampede ? " DB queries per expiry | expiries seen | largest burst | notes |" : " notes |");
            sb.Append("|---|---:|---:|---:|---:|---:|---:|---:|");
            sb.AppendLine(stampede ? "---:|---:|---:|---|" : "---|");
            foreach (var c in row)
            {
                sb.Append($"| {TargetName[c.Target]} | {Range(c.Rps, 0)} | {RangeSmart(c.P50)} | {RangeSmart(c.P99)} | {Range(c.Non2xxPct, 1, "%")} | ");
                sb.Append(c.Status404Pct is null ? "n/a | " : $"{Range(c.Status404Pct, 1, "%")} | ");
                sb.Append($"{RangeSmart(c.DbPer1k)} | {(c.CpuUsPerReq is null ? "n/a" : RangeSmart(c.CpuUsPerReq))} |");
                if (stampede)
                {
                    sb.Append(c.UpstreamPerExpiry is null ? " n/a | n/a | n/a |" : $" {RangeSmart(c.UpstreamPerExpiry)} | {Range(c.Bursts!, 0)} | {Range(c.MaxBurst!, 0)} |");
                }

                sb.AppendLine($" {Notes(c)} |");
            }

            sb.AppendLine();
        }

        sb.AppendLine("Notes: *non-2xx* is wrk's count of answers with status >= 400; *404* counts 404s alone (status counting on). " +
                      "Sources are shares of EdgeGuard's `X-EdgeGuard-Source` header over all rounds. The bare Kestrel app answers 404 to every " +
                      "id (it is the ceiling for a short-circuit, not a catalog). In the stampede scenario the catalog's counter is sampled every " +
                      "~100 ms during the run (slower when the machine is saturated); an expiry is a burst of DB queries (sampling intervals " +
                      "in which the counter rose, merged when less than half a TTL apart); DB queries per expiry = the run's DB queries / bursts; " +
                      "largest burst = the most DB queries within one sampling interval. Targets without a cache have no expiries (n/a). " +
                      "The repeated missing id is rejected by EdgeGuard's Bloom filter (negative caching there serves the ~1% false positives); " +
                      "nginx serves it from its cached 404. DB counts can include the requests in flight when a run starts or stops " +
                      "(at most one per connection, so a no-cache target may show slightly over 1,000 per 1k, most visibly in short runs). " +
                      "In scenarios 7 and 8, *DB queries/s* is the catalog's delta over the measured run's length, and the target CPU per request " +
                      "includes the legitimate client's requests in the CPU time but counts only the attacker's (both wrk runs hit the same process). wrk is closed-loop: an " +
                      "attacker answered faster (a 429, a Bloom 404) sends more, so attacker req/s is not a cost the target chose. " +
                      "*Target CPU µs/req* = user + system CPU time of the target's own processes (nginx: master and workers; not the " +
                      "catalog behind it, nor Redis, nor wrk) during the run, per request: the server-side cost of an answer, free of the " +
                      "client's share of the cores. *Machine busy* = all cores' busy share during the run (wrk included).");
        sb.AppendLine("<!-- http-load:end -->");
        return sb.ToString();
    }

    /// <summary>An attack scenario's table: what the attacker got, what it cost the catalog per second, and what the
    /// legitimate client measured alongside it saw.</summary>
    private static void AttackTable(StringBuilder sb, List<Cell> row, Dictionary<string, string> meta)
    {
        var rate = meta.TryGetValue("BUDGET_RATE", out var r) ? r : "?";
        var legitConnections = meta.TryGetValue("LEGIT_CONNECTIONS", out var lc) ? lc : "?";
        sb.AppendLine($"Attacker: wrk -t{(meta.TryGetValue("THREADS", out var t) ? t : "?")} -c{(meta.TryGetValue("CONNECTIONS", out var c) ? c : "?")} as one client; " +
                      $"legitimate client: a second wrk -t1 -c{legitConnections} on the 100 hot ids at the same time, as another client " +
                      $"(both named by X-Forwarded-For from 127.0.0.1, a known proxy for the per-client targets). Budget and limit_req: {rate}/s per client, burst {2 * (int.TryParse(rate, NumberStyles.Integer, Inv, out var rv) ? rv : 0)}.");
        sb.AppendLine();
        sb.AppendLine("| target | attacker req/s | attacker non-2xx | DB queries/s | DB queries / 1k req | target CPU µs/req | legit req/s | legit p50 ms | legit p99 ms | legit non-2xx | notes |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var cell in row)
        {
            sb.Append($"| {TargetName[cell.Target]} | {Range(cell.Rps, 0)} | {Range(cell.Non2xxPct, 1, "%")} | {(cell.DbPerSecond is null ? "n/a" : Range(cell.DbPerSecond, 0))} | {RangeSmart(cell.DbPer1k)} | {(cell.CpuUsPerReq is null ? "n/a" : RangeSmart(cell.CpuUsPerReq))} | ");
            sb.Append(cell.LegitRps is null
                ? "n/a | n/a | n/a | n/a |"
                : $"{Range(cell.LegitRps, 0)} | {RangeSmart(cell.LegitP50!)} | {RangeSmart(cell.LegitP99!)} | {Range(cell.LegitNon2xxPct!, 1, "%")} |");
            sb.AppendLine($" {Notes(cell)} |");
        }

        sb.AppendLine();
    }

    private static string Notes(Cell c)
    {
        var notes = new List<string>();
        if (c.SourcePct is not null)
        {
            var parts = c.SourcePct.Where(kv => kv.Value >= 0.05).OrderByDescending(kv => kv.Value)
                .Select(kv => $"{(kv.Key == "none" ? "no header" : kv.Key)} {F(kv.Value, 1)}%");
            notes.Add(string.Join(", ", parts));
        }

        if (c.RedisCpuUsPerReq is not null)
        {
            notes.Add($"redis-server CPU µs/req {RangeSmart(c.RedisCpuUsPerReq)}");
        }

        if (c.MachineBusyPct is not null)
        {
            notes.Add($"machine busy {F(c.MachineBusyPct.Median, 0)}%");
        }

        if (c.GatewayUpstreamPer1k is not null)
        {
            notes.Add($"gateway upstream/1k {RangeSmart(c.GatewayUpstreamPer1k)}");
        }

        if (c.SocketErrors > 0)
        {
            notes.Add($"{c.SocketErrors} socket errors/timeouts");
        }

        if (c.Wrapped > 0)
        {
            notes.Add($"{c.Wrapped} requests reused ids (slice ran out)");
        }

        return string.Join("; ", notes);
    }

    private static IEnumerable<string> Verdicts(Dictionary<(string, string), Cell> cells)
    {
        Cell? Get(string s, string t) => cells.TryGetValue((s, t), out var c) ? c : null;
        static string Verdict(bool pass) => pass ? "**PASS**" : "**MISS**";
        static string Cpu(Cell a, Cell? b) => a.CpuUsPerReq is null || b?.CpuUsPerReq is null
            ? ""
            : $"; server CPU {F(a.CpuUsPerReq.Median, 0)} vs {F(b.CpuUsPerReq.Median, 0)} µs/req";
        string X(double v) => F(v, 2) + "x";

        // 1. Penetration: DB queries <= 1.2% of requests; requests/s >= 5x nginx.
        var nginxPen = Get("penetration", "nginx");
        var catPen = Get("penetration", "catalog");
        foreach (var eg in new[] { "edgeguard", "edgeguard-redis" })
        {
            var c = Get("penetration", eg);
            if (c is null)
            {
                continue;
            }

            var pct = c.DbPer1k.Median / 10;
            var refText = string.Join(", ", new[] { nginxPen, catPen }.Where(x => x is not null)
                .Select(x => $"{TargetName[x!.Target]} {F(x.DbPer1k.Median / 10, 1)}%"));
            yield return $"Penetration, {TargetName[eg]}: DB queries {F(pct, 2)}% of requests (target <= 1.2%; {refText}) — {Verdict(pct <= 1.2)}";
            if (nginxPen is not null)
            {
                var ratio = c.Rps.Median / nginxPen.Rps.Median;
                yield return $"Penetration, {TargetName[eg]}: {F(c.Rps.Median, 0)} req/s = {X(ratio)} nginx's {F(nginxPen.Rps.Median, 0)} (target >= 5x{Cpu(c, nginxPen)}) — {Verdict(ratio >= 5)}";
            }
        }

        // 2. Bloom-reject throughput (penetration and repeated missing id): >= 0.9x bare Kestrel,
        //    >= 1.1x nginx's cached-404 throughput (nginx on the repeated missing id), p99 <= 3 ms.
        var nginxCached404 = Get("missing_repeated", "nginx");
        foreach (var eg in new[] { "edgeguard", "edgeguard-redis" })
        {
            foreach (var s in new[] { "penetration", "missing_repeated" })
            {
                var c = Get(s, eg);
                if (c is null)
                {
                    continue;
                }

                var label = $"Bloom reject ({ScenarioShort[s]}), {TargetName[eg]}";
                var bare = Get(s, "bare-kestrel");
                if (bare is not null)
                {
                    var ratio = c.Rps.Median / bare.Rps.Median;
                    yield return $"{label}: {F(c.Rps.Median, 0)} req/s = {X(ratio)} bare Kestrel's {F(bare.Rps.Median, 0)} (target >= 0.9x){Cpu(c, bare)} — {Verdict(ratio >= 0.9)}";
                }

                if (nginxCached404 is not null)
                {
                    var ratio = c.Rps.Median / nginxCached404.Rps.Median;
                    yield return $"{label}: {X(ratio)} nginx's cached-404 throughput {F(nginxCached404.Rps.Median, 0)} req/s (target >= 1.1x) — {Verdict(ratio >= 1.1)}";
                }

                var bareP99 = bare is null ? "" : $"; bare Kestrel's p99 {F(bare.P99.Median, 2)} ms in the same runs";
                yield return $"{label}: p99 {F(c.P99.Median, 2)} ms at {c.Runs[0].Connections} connections (target <= 3 ms{bareP99}) — {Verdict(c.P99.Median <= 3)}";
            }
        }

        // 3. Hot ids (issue 11): embedded >= 1.0x bare Kestrel; Redis (an L1 in front of it) >= 0.9x embedded.
        var hotEg = Get("hot", "edgeguard");
        var hotBare = Get("hot", "bare-kestrel");
        var hotRedis = Get("hot", "edgeguard-redis");
        if (hotEg is not null && hotBare is not null)
        {
            var ratio = hotEg.Rps.Median / hotBare.Rps.Median;
            yield return $"Hot ids, {TargetName["edgeguard"]}: {F(hotEg.Rps.Median, 0)} req/s = {X(ratio)} bare Kestrel's {F(hotBare.Rps.Median, 0)} (target >= 1.0x){Cpu(hotEg, hotBare)} — {Verdict(ratio >= 1.0)}";
        }

        if (hotRedis is not null && hotEg is not null)
        {
            var ratio = hotRedis.Rps.Median / hotEg.Rps.Median;
            yield return $"Hot ids, {TargetName["edgeguard-redis"]}: {F(hotRedis.Rps.Median, 0)} req/s = {X(ratio)} the embedded cache's {F(hotEg.Rps.Median, 0)} (target >= 0.9x){Cpu(hotRedis, hotEg)} — {Verdict(ratio >= 0.9)}";
        }

        // 4. Cold ids: >= 0.9x the plain YARP pass-through.
        var yarp = Get("cold", "yarp-passthrough");
        foreach (var eg in new[] { "edgeguard", "edgeguard-redis" })
        {
            var c = Get("cold", eg);
            if (c is null || yarp is null)
            {
                continue;
            }

            var ratio = c.Rps.Median / yarp.Rps.Median;
            var wanted = eg == "edgeguard" ? 0.9 : 0.75; // issue 11: embedded cold >= 0.9x, Redis cold >= 0.75x the pass-through
            var target = $" (target >= {F(wanted, 2)}x{Cpu(c, yarp)}) — {Verdict(ratio >= wanted)}";
            yield return $"Cold ids, {TargetName[eg]}: {F(c.Rps.Median, 0)} req/s = {X(ratio)} the YARP pass-through's {F(yarp.Rps.Median, 0)}{target}";
        }

        // The A/Bs (edgeguard-before and -before2: other builds run side by side): this build's throughput against
        // each, per scenario. Issue 11 holds the cache tier to >= 0.9x the build before it on hot and cold ids; the
        // others are reported.
        foreach (var (other, rule) in new[] { ("edgeguard-before", 0.9), ("edgeguard-before2", 0.0) })
        {
            foreach (var sc in Scenarios)
            {
                var now = Get(sc, "edgeguard");
                var before = Get(sc, other);
                if (now is null || before is null)
                {
                    continue;
                }

                var ratio = now.Rps.Median / before.Rps.Median;
                var judged = rule > 0 && sc is "hot" or "cold";
                var wanted = judged ? $" (target >= {F(rule, 2)}x)" : "";
                var verdict = judged ? $" — {Verdict(ratio >= rule)}" : "";
                yield return $"A/B, {ScenarioShort[sc]}: this build {F(now.Rps.Median, 0)} req/s = {X(ratio)} {TargetName[other]}'s {F(before.Rps.Median, 0)}{wanted}{Cpu(now, before)}{verdict}";
            }
        }

        // 7 and 8 (issue 13, report only): what an attack costs the catalog per second, and the legitimate client's
        // latency, with and without the per-client defences.
        foreach (var s in AttackScenarios)
        {
            var parts = new List<string>();
            foreach (var t in Targets)
            {
                var c = Get(s, t);
                if (c?.DbPerSecond is null)
                {
                    continue;
                }

                var legit = c.LegitP99 is null ? "" : $", legit p99 {F(c.LegitP99.Median, 2)} ms ({F(c.LegitNon2xxPct!.Median, 1)}% refused)";
                parts.Add($"{TargetName[t]} {F(c.DbPerSecond.Median, 0)} DB queries/s{legit}");
            }

            if (parts.Count > 0)
            {
                yield return $"{ScenarioShort[s]} (issue 13, report only): {string.Join("; ", parts)}";
            }
        }

        // 6. Stampede: exactly 1 upstream request per expiry per instance.
        foreach (var t in new[] { "edgeguard", "edgeguard-redis", "nginx" })
        {
            var c = Get("stampede", t);
            if (c is null)
            {
                continue;
            }

            var perRound = c.Runs.Select(r => $"{r.DbQueries}/{r.Bursts ?? 0}").ToList();
            var fit = c.Runs.Select(r => r.TtlS is > 0 ? (long)Math.Floor(r.DurationS / r.TtlS.Value) + 1 : 0).Max();
            var text = $"Expiry stampede, {TargetName[t]}: DB queries / expiries seen, per round: {string.Join(", ", perRound)} " +
                       $"(at most {fit} expiries fit in a run; largest burst {F(c.MaxBurst?.Max ?? 0, 0)})";
            if (t == "nginx")
            {
                yield return text + " (report only; issue 5 quotes 32–64 per expiry for proxy_cache_lock alone)";
            }
            else
            {
                var exact = c.Runs.All(r => r.Bursts is > 0 && r.DbQueries == r.Bursts && r.MaxBurst == 1
                                            && r.TtlS is > 0 && r.DbQueries <= Math.Floor(r.DurationS / r.TtlS.Value) + 1);
                yield return text + $" (target exactly 1 per expiry) — {Verdict(exact)}";
            }
        }
    }

    public static void WriteSection(string path, string section)
    {
        const string Begin = "<!-- http-load:begin";
        const string End = "<!-- http-load:end -->";
        var text = File.Exists(path) ? File.ReadAllText(path) : "# Benchmark results\n";
        var b = text.IndexOf(Begin, StringComparison.Ordinal);
        var e = text.IndexOf(End, StringComparison.Ordinal);
        if (b >= 0 && e > b)
        {
            text = text[..b] + section.TrimEnd('\n') + text[(e + End.Length)..];
        }
        else
        {
            text = text.TrimEnd('\n') + "\n\n" + section;
        }

        if (!text.EndsWith('\n'))
        {
            text += "\n";
        }

        File.WriteAllText(path, text);
    }
}

internal static class Chart
{
    private static readonly Dictionary<string, string> Colors = new()
    {
        ["edgeguard"] = "#1b9e77",
        ["edgeguard-before"] = "#9ad0b8",
        ["edgeguard-before2"] = "#c7e9c0",
        ["edgeguard-redis"] = "#66c2a5",
        ["edgeguard-budget"] = "#0b5d44",
        ["nginx"] = "#d95f02",
        ["nginx-limit"] = "#a6761d",
        ["catalog"] = "#7570b3",
        ["bare-kestrel"] = "#666666",
        ["yarp-passthrough"] = "#e7298a",
    };

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private static string N(double v) => v.ToString("0.#", Inv);

    private static string E(string s) => WebUtility.HtmlEncode(s);

    public static string Svg(Dictionary<string, string> meta, Dictionary<(string Scenario, string Target), Cell> cells)
    {
        var scenarios = Report.Scenarios.Where(s => cells.Keys.Any(k => k.Scenario == s)).ToList();
        var targets = Report.Targets.Where(t => cells.Keys.Any(k => k.Target == t)).ToList();
        const double Width = 1000, Margin = 20, Gap = 30, LabelW = 180, BarH = 16, BarGap = 4, ValueW = 70;
        const double HeaderH = 78, PanelTitleH = 22;
        var panelW = (Width - (2 * Margin) - Gap) / 2;
        var plotW = panelW - LabelW - ValueW;
        var panelH = PanelTitleH + (targets.Count * (BarH + BarGap)) + 12;
        var height = HeaderH + (scenarios.Count * (panelH + 14)) + 40;

        var sb = new StringBuilder();
        sb.AppendLine($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{N(Width)}\" height=\"{N(height)}\" viewBox=\"0 0 {N(Width)} {N(height)}\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">");
        sb.AppendLine($"<rect width=\"{N(Width)}\" height=\"{N(height)}\" fill=\"#ffffff\"/>");
        string M(string key) => meta.TryGetValue(key, out var v) ? v : "?";
        sb.AppendLine($"<text x=\"{N(Margin)}\" y=\"28\" font-size=\"18\" font-weight=\"bold\">EdgeGuard under load: requests/s and catalog DB queries per 1,000 requests</text>");
        sb.AppendLine($"<text x=\"{N(Margin)}\" y=\"48\" fill=\"#444\">{E($"{M("date")} · {M("cpu")}, {M("cores")} cores · wrk -t{M("THREADS")} -c{M("CONNECTIONS")}, {M("DURATION")} s × {M("ROUNDS")} rounds · {M("ids")} ids")}</text>");
        var smoke = !int.TryParse(M("DURATION"), NumberStyles.Integer, Inv, out var duration) || duration < 10
                    || !int.TryParse(M("ROUNDS"), NumberStyles.Integer, Inv, out var rounds) || rounds < 3;
        sb.AppendLine($"<text x=\"{N(Margin)}\" y=\"66\" fill=\"#444\">{E("bars: median over rounds; whiskers: min–max. Left: higher is better. Right: lower is better.")}</text>");
        if (smoke)
        {
            sb.AppendLine($"<text x=\"{N(Width - Margin)}\" y=\"66\" text-anchor=\"end\" fill=\"#c00\" font-weight=\"bold\">SMOKE RUN: not benchmark numbers</text>");
        }

        var y = HeaderH;
        foreach (var s in scenarios)
        {
            Panel(sb, Margin, y, panelW, plotW, LabelW, BarH, BarGap, PanelTitleH, $"{Report.ScenarioShort[s]} — requests/s",
                targets, t => cells.TryGetValue((s, t), out var c) ? c.Rps : null, v => v.ToString("N0", Inv));
            Panel(sb, Margin + panelW + Gap, y, panelW, plotW, LabelW, BarH, BarGap, PanelTitleH, $"{Report.ScenarioShort[s]} — DB queries / 1k requests",
                targets, t => cells.TryGetValue((s, t), out var c) ? c.DbPer1k : null, v => v >= 100 ? v.ToString("N0", Inv) : v.ToString("0.##", Inv));
            y += panelH + 14;
        }

        sb.AppendLine($"<text x=\"{N(Margin)}\" y=\"{N(height - 26)}\" fill=\"#666\" font-size=\"11\">{E("Rendered by bench/load/report.cs from the raw results of bench/load/run.sh (details and tables: bench/RESULTS.md).")}</text>");
        sb.AppendLine($"<text x=\"{N(Margin)}\" y=\"{N(height - 10)}\" fill=\"#666\" font-size=\"11\">{E($"Command: {M("command")}")}</text>");
        sb.AppendLine("</svg>");
        return sb.ToString();
    }

    private static void Panel(StringBuilder sb, double x, double y, double panelW, double plotW, double labelW, double barH, double barGap,
        double titleH, string title, List<string> targets, Func<string, Stat?> value, Func<double, string> format)
    {
        sb.AppendLine($"<rect x=\"{N(x)}\" y=\"{N(y)}\" width=\"{N(panelW)}\" height=\"{N(titleH + (targets.Count * (barH + barGap)) + 8)}\" fill=\"#f7f7f7\" rx=\"4\"/>");
        sb.AppendLine($"<text x=\"{N(x + 6)}\" y=\"{N(y + 15)}\" font-weight=\"bold\">{E(title)}</text>");
        var stats = targets.Select(value).ToList();
        var max = stats.Where(st => st is not null).Select(st => st!.Max).DefaultIfEmpty(1).Max();
        if (max <= 0)
        {
            max = 1;
        }

        var plotX = x + labelW;
        for (var i = 0; i < targets.Count; i++)
        {
            var t = targets[i];
            var by = y + titleH + (i * (barH + barGap));
            sb.AppendLine($"<text x=\"{N(plotX - 6)}\" y=\"{N(by + barH - 4)}\" text-anchor=\"end\">{E(Report.TargetName[t])}</text>");
            var st = stats[i];
            if (st is null)
            {
                sb.AppendLine($"<text x=\"{N(plotX + 4)}\" y=\"{N(by + barH - 4)}\" fill=\"#999\">not run</text>");
                continue;
            }

            var w = Math.Max(1, plotW * st.Median / max);
            sb.AppendLine($"<rect x=\"{N(plotX)}\" y=\"{N(by)}\" width=\"{N(w)}\" height=\"{N(barH)}\" fill=\"{Colors[t]}\"><title>{E($"{Report.TargetName[t]}: {format(st.Median)} (min {format(st.Min)}, max {format(st.Max)})")}</title></rect>");
            if (st.N > 1)
            {
                var x1 = plotX + (plotW * st.Min / max);
                var x2 = plotX + (plotW * st.Max / max);
                var cy = by + (barH / 2);
                sb.AppendLine($"<path d=\"M{N(x1)} {N(cy)}H{N(x2)}M{N(x1)} {N(cy - 4)}V{N(cy + 4)}M{N(x2)} {N(cy - 4)}V{N(cy + 4)}\" stroke=\"#222\" stroke-width=\"1\" fill=\"none\"/>");
            }

            var labelX = plotX + Math.Max(w, plotW * st.Max / max) + 5;
            sb.AppendLine($"<text x=\"{N(labelX)}\" y=\"{N(by + barH - 4)}\" fill=\"#222\">{E(format(st.Median))}</text>");
        }
    }
}
