using EdgeGuard.Faults.Checker.History;

namespace EdgeGuard.Faults.Checker.Checks;

/// <summary>
/// Cached answers outlive the catalog's failures, and say so:
/// <list type="bullet">
/// <item>no 5xx (and no request left unanswered) from an instance for an id that instance had answered 200 from its cache
/// (<c>cache</c> or <c>stale</c>: its memory, or Redis) before the request started, less than <c>FailSafeMaxAge</c>
/// earlier. Another instance's cache answer is no evidence for this one: an instance whose circuit around Redis is
/// open (Redis slow on a busy machine) keeps what it fetches in its own memory only. Requests to an instance while it
/// was down (killed) do not count;</item>
/// <item>an answer from a cache older than its freshness (<c>Age</c> over <c>PositiveTtl</c>) is labelled <c>stale</c>,
/// a <c>stale</c> answer is a 200 (a 404 is never served stale) and at most <c>FailSafeMaxAge</c> old.</item>
/// </list>
/// </summary>
public sealed class CachedAnswersCheck : ICheck
{
    public string Name => "cached ids answered, stale labelled";

    public CheckResult Evaluate(IReadOnlyList<Operation> history, Timeline timeline, CheckSettings settings)
    {
        var reads = history.Where(op => op.Kind == OpKind.Read && op.Id is not null).ToList();
        var cachedSince = new Dictionary<(string Id, int? Instance), double>();
        foreach (var read in reads.Where(op => op.Status == 200 && op.Source is "cache" or "stale"))
        {
            var key = (read.Id!, read.Instance);
            cachedSince[key] = Math.Min(cachedSince.GetValueOrDefault(key, double.PositiveInfinity), read.End);
        }

        var missing = reads.Where(op => op.Target == ReadTarget.Missing).ToList();
        var violations = new List<string>();
        var judged = 0;
        var stale = 0;
        foreach (var read in reads)
        {
            if (read.Source == "stale")
            {
                stale++;
                if (read.Status != 200 || read.Age is null || read.Age > settings.FailSafeMaxAge.TotalSeconds)
                {
                    violations.Add($"{Describe.Op(read)}: a stale answer must be a 200 at most {settings.FailSafeMaxAge.TotalSeconds} s old");
                }
            }
            else if (read.Source == "cache" && read.Age > settings.FreshFor.TotalSeconds)
            {
                violations.Add($"{Describe.Op(read)}: older than its freshness ({settings.FreshFor.TotalSeconds} s) and not labelled stale");
            }

            if (!cachedSince.TryGetValue((read.Id!, read.Instance), out var since) || read.Start <= since ||
                read.Start - since >= settings.FailSafeMaxAge.TotalMilliseconds || timeline.WasDown(read.Instance, read.Start, read.End))
            {
                continue;
            }

            judged++;
            if (read.IsFailure)
            {
                violations.Add($"{Describe.Op(read)}: answered from its cache at {Describe.Seconds(since)}; {ShieldNear(missing, read)}");
            }
        }

        return CheckResult.From(Name, judged, violations, $"{stale} stale");
    }

    /// <summary>
    /// What the instance's filter did with the missing ids read through it just before and after <paramref name="read"/>:
    /// forwarding them means it did not trust its filter then, and so answered nothing from its cache either.
    /// </summary>
    private static string ShieldNear(IReadOnlyList<Operation> missing, Operation read)
    {
        var near = missing.Where(op => op.Instance == read.Instance && Math.Abs(op.Start - read.Start) <= 250).ToList();
        return near.Count == 0
            ? "no missing-id read through it within 250 ms"
            : $"of its missing-id reads within 250 ms, {near.Count(op => op.Source != "bloom")} of {near.Count} forwarded (its filter untrusted)";
    }
}
