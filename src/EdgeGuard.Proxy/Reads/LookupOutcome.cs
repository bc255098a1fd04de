using EdgeGuard.Proxy.Budget;
using EdgeGuard.Proxy.Caching;

namespace EdgeGuard.Proxy.Reads;

/// <summary>What answers a product read once the gate let it through.</summary>
public enum LookupKind
{
    /// <summary>A fresh cached answer.</summary>
    Hit,

    /// <summary>A cached answer past its freshness, served because the catalog failed (fail-safe).</summary>
    Stale,

    /// <summary>A cached "no such product" (a short negative entry).</summary>
    Negative,

    /// <summary>This request's own fetch, now cached (or shared with the requests that waited for it).</summary>
    Fetched,

    /// <summary>This request's own fetch found no such product: the catalog's 404, as it came.</summary>
    FetchedAbsent,

    /// <summary>This request's own fetch got an answer that may not be shared but is what this client's own request
    /// would have got: it is relayed to this client alone, and the catalog is not asked twice.</summary>
    Relayed,

    /// <summary>The client's own request goes to the catalog as it came (nothing cached or shared).</summary>
    Forward,

    /// <summary>The client is over its budget of catalog requests: 429, nothing forwarded.</summary>
    OverBudget,

    /// <summary>The catalog failed and nothing cached could answer instead.</summary>
    Failed,
}

/// <summary>
/// What a lookup decided for one product read (<see cref="ProductLookup"/>): one value the read path answers from.
/// </summary>
/// <param name="Entry">The cached entry (hit, stale, fetched).</param>
/// <param name="Answer">The catalog's answer to this request's own fetch (fetched absent, relayed).</param>
/// <param name="Refusal">Why the budget refused it (over budget).</param>
/// <param name="Spent">Forward: this request has spent its client's budget already (its own fetch did).</param>
/// <param name="Status">Failed: the status to answer (502, 503, 504).</param>
/// <param name="Detail">Failed: why.</param>
public readonly record struct LookupOutcome(
    LookupKind Kind,
    CacheEntry? Entry = null,
    UpstreamAnswer? Answer = null,
    BudgetRefusal? Refusal = null,
    bool Spent = false,
    int Status = 0,
    string? Detail = null)
{
    public static LookupOutcome Forward(bool spent) => new(LookupKind.Forward, Spent: spent);

    public static LookupOutcome OverBudget(BudgetRefusal refusal) => new(LookupKind.OverBudget, Refusal: refusal);

    public static LookupOutcome Failed(int status, string detail) => new(LookupKind.Failed, Status: status, Detail: detail);
}
