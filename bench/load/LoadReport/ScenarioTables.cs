using System.Text;

namespace LoadReport;

/// <summary>A scenario's markdown table: one row per target.</summary>
internal static class ScenarioTables
{
    /// <summary>Throughput, latency, refusals, DB queries and CPU per target; the stampede scenario adds its expiries.</summary>
    public static void Standard(StringBuilder sb, List<TargetResult> rows, bool stampede)
    {
        sb.Append("| target | requests/s | p50 ms | p99 ms | non-2xx | 404 | DB queries / 1k req | target CPU µs/req |");
        sb.AppendLine(stampede ? " DB queries per expiry | expiries seen | largest burst | notes |" : " notes |");
        sb.Append("|---|---:|---:|---:|---:|---:|---:|---:|");
        sb.AppendLine(stampede ? "---:|---:|---:|---|" : "---|");
        foreach (var r in rows)
        {
            sb.Append($"| {Targets.NameOf(r.Target)} | {Format.MedianAndRange(r.RequestsPerSecond, 0)} | {Format.MedianAndRangeThreeFigures(r.P50Ms)} | ");
            sb.Append($"{Format.MedianAndRangeThreeFigures(r.P99Ms)} | {Format.MedianAndRange(r.Non2xxPercent, 1, "%")} | ");
            sb.Append(r.Status404Percent is null ? "n/a | " : $"{Format.MedianAndRange(r.Status404Percent, 1, "%")} | ");
            sb.Append($"{Format.MedianAndRangeThreeFigures(r.DbQueriesPer1k)} | {OrNa(r.CpuUsPerRequest)} |");
            if (stampede)
            {
                sb.Append(r.DbQueriesPerExpiry is null
                    ? " n/a | n/a | n/a |"
                    : $" {Format.MedianAndRangeThreeFigures(r.DbQueriesPerExpiry)} | {Format.MedianAndRange(r.ExpiriesSeen!, 0)} | {Format.MedianAndRange(r.LargestBurst!, 0)} |");
            }

            sb.AppendLine($" {Notes(r)} |");
        }

        sb.AppendLine();
    }

    /// <summary>An attack scenario: what the attacker got, what it cost the catalog per second, and what the legitimate
    /// client measured alongside it saw.</summary>
    public static void Attack(StringBuilder sb, List<TargetResult> rows, RunMetadata meta)
    {
        sb.AppendLine($"Attacker: wrk -t{meta.Text("THREADS")} -c{meta.Text("CONNECTIONS")} as one client; " +
                      $"legitimate client: a second wrk -t1 -c{meta.Text("LEGIT_CONNECTIONS")} on the 100 hot ids at the same time, as another client " +
                      $"(both named by X-Forwarded-For from 127.0.0.1, a known proxy for the per-client targets). Budget and limit_req: {meta.Text("BUDGET_RATE")}/s per client, burst {2 * meta.Integer("BUDGET_RATE")}.");
        sb.AppendLine();
        sb.AppendLine("| target | attacker req/s | attacker non-2xx | DB queries/s | DB queries / 1k req | target CPU µs/req | legit req/s | legit p50 ms | legit p99 ms | legit non-2xx | notes |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var r in rows)
        {
            sb.Append($"| {Targets.NameOf(r.Target)} | {Format.MedianAndRange(r.RequestsPerSecond, 0)} | {Format.MedianAndRange(r.Non2xxPercent, 1, "%")} | ");
            sb.Append($"{(r.DbQueriesPerSecond is null ? "n/a" : Format.MedianAndRange(r.DbQueriesPerSecond, 0))} | ");
            sb.Append($"{Format.MedianAndRangeThreeFigures(r.DbQueriesPer1k)} | {OrNa(r.CpuUsPerRequest)} | ");
            sb.Append(r.LegitimateClient is not { } legit
                ? "n/a | n/a | n/a | n/a |"
                : $"{Format.MedianAndRange(legit.RequestsPerSecond, 0)} | {Format.MedianAndRangeThreeFigures(legit.P50Ms)} | " +
                  $"{Format.MedianAndRangeThreeFigures(legit.P99Ms)} | {Format.MedianAndRange(legit.Non2xxPercent!, 1, "%")} |");
            sb.AppendLine($" {Notes(r)} |");
        }

        sb.AppendLine();
    }

    private static string OrNa(Spread? s) => s is null ? "n/a" : Format.MedianAndRangeThreeFigures(s);

    /// <summary>The notes column: answer sources, Redis CPU, machine load, gateway upstream requests, errors, reused ids.</summary>
    private static string Notes(TargetResult r)
    {
        var notes = new List<string>();
        if (r.SourcePercent is not null)
        {
            var parts = r.SourcePercent.Where(kv => kv.Value >= 0.05).OrderByDescending(kv => kv.Value)
                .Select(kv => $"{(kv.Key == "none" ? "no header" : kv.Key)} {Format.Number(kv.Value, 1)}%");
            notes.Add(string.Join(", ", parts));
        }

        if (r.RedisCpuUsPerRequest is not null)
        {
            notes.Add($"redis-server CPU µs/req {Format.MedianAndRangeThreeFigures(r.RedisCpuUsPerRequest)}");
        }

        if (r.MachineBusyPercent is not null)
        {
            notes.Add($"machine busy {Format.Number(r.MachineBusyPercent.Median, 0)}%");
        }

        if (r.GatewayUpstreamPer1k is not null)
        {
            notes.Add($"gateway upstream/1k {Format.MedianAndRangeThreeFigures(r.GatewayUpstreamPer1k)}");
        }

        if (r.SocketErrors > 0)
        {
            notes.Add($"{r.SocketErrors} socket errors/timeouts");
        }

        if (r.WrappedRequests > 0)
        {
            notes.Add($"{r.WrappedRequests} requests reused ids (slice ran out)");
        }

        return string.Join("; ", notes);
    }
}
