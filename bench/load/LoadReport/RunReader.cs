using System.Text.Json;

namespace LoadReport;

/// <summary>Reads runs.jsonl, the line bench/load/run.sh appends after each measured wrk run.</summary>
internal static class RunReader
{
    /// <summary>Every run in <paramref name="path"/>; blank lines are skipped.</summary>
    /// <exception cref="InvalidDataException">A line is not a run as run.sh writes it; the message names the line.</exception>
    public static IReadOnlyList<Run> Read(string path)
    {
        var runs = new List<Run>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            try
            {
                using var doc = JsonDocument.Parse(line);
                runs.Add(Parse(doc.RootElement));
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new InvalidDataException($"{path}, line {lineNumber}: not a run as bench/load/run.sh writes it ({e.Message})", e);
            }
        }

        return runs;
    }

    private static Run Parse(JsonElement run)
    {
        var cpu = run.TryGetProperty("cpu_ms", out var c) ? c : (JsonElement?)null;
        return new Run
        {
            Scenario = run.GetProperty("scenario").GetString()!,
            Target = run.GetProperty("target").GetString()!,
            Round = run.GetProperty("round").GetInt32(),
            DurationSeconds = run.GetProperty("duration_s").GetDouble(),
            Connections = run.GetProperty("connections").GetInt32(),
            Load = ParseWrk(run.GetProperty("wrk")),
            DbQueries = run.GetProperty("db_after").GetInt64() - run.GetProperty("db_before").GetInt64(),
            GatewayUpstreamRequests = Delta(run, "gw_upstream_before", "gw_upstream_after"),
            ExpiryBursts = OptionalNumber(run, "expiry_bursts")?.GetInt64(),
            LargestBurst = OptionalNumber(run, "max_burst")?.GetInt64(),
            TtlSeconds = OptionalNumber(run, "ttl_s")?.GetDouble(),
            TargetCpuMs = cpu?.GetProperty("target").GetDouble(),
            RedisCpuMs = cpu?.GetProperty("redis").GetDouble(),
            MachineBusyPercent = OptionalNumber(run, "machine_busy_pct")?.GetDouble(),
            LegitimateClient = run.TryGetProperty("legit", out var legit) && legit.ValueKind == JsonValueKind.Object ? ParseWrk(legit) : null,
        };
    }

    private static WrkSummary ParseWrk(JsonElement wrk)
    {
        var requests = wrk.GetProperty("requests").GetInt64();
        var errors = wrk.GetProperty("errors");
        var latency = wrk.GetProperty("latency_us");
        return new WrkSummary
        {
            Requests = requests,
            RequestsPerSecond = requests / (wrk.GetProperty("duration_us").GetDouble() / 1e6),
            P50Ms = latency.GetProperty("p50").GetDouble() / 1000,
            P99Ms = latency.GetProperty("p99").GetDouble() / 1000,
            Non2xx = errors.GetProperty("status").GetInt64(),
            Status404 = wrk.TryGetProperty("status", out var status) ? status.GetProperty("404").GetInt64() : null,
            SocketErrors = errors.GetProperty("connect").GetInt64() + errors.GetProperty("read").GetInt64()
                + errors.GetProperty("write").GetInt64() + errors.GetProperty("timeout").GetInt64(),
            WrappedRequests = wrk.TryGetProperty("wrapped", out var wrapped) ? wrapped.GetInt64() : 0,
            Sources = wrk.TryGetProperty("sources", out var sources)
                ? sources.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64(), StringComparer.Ordinal)
                : null,
        };
    }

    /// <summary>The property's value when it is a number (run.sh writes null where a figure does not apply).</summary>
    private static JsonElement? OptionalNumber(JsonElement run, string name) =>
        run.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v : null;

    private static long? Delta(JsonElement run, string before, string after) =>
        OptionalNumber(run, before) is { } b && OptionalNumber(run, after) is { } a ? a.GetInt64() - b.GetInt64() : null;
}
