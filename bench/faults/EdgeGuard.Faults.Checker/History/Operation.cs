using System.Text.Json.Serialization;

namespace EdgeGuard.Faults.Checker.History;

/// <summary>What an entry of the history is.</summary>
public enum OpKind
{
    /// <summary><c>POST /products</c> of a new id through a gateway.</summary>
    Create,

    /// <summary><c>GET /products/{id}</c> through a gateway (see <see cref="ReadTarget"/>).</summary>
    Read,

    /// <summary><c>POST /bloom/ids</c> through a gateway, for ids inserted into the catalog behind the gateways' back.</summary>
    Announce,

    /// <summary>An insert straight into the catalog (not through a gateway), before its announcement.</summary>
    CatalogInsert,

    /// <summary>At the end: the catalog asked directly whether an id exists (200 or 404).</summary>
    CatalogCheck,

    /// <summary>A fault injected (from <see cref="Operation.Start"/> to <see cref="Operation.End"/>, when it was in force).</summary>
    Fault,

    /// <summary>The fault healed: in force until <see cref="Operation.Start"/>, healed at <see cref="Operation.End"/>.</summary>
    Heal,

    /// <summary>A gateway instance killed (<see cref="Operation.Instance"/>); it serves nothing until its <see cref="Up"/>.</summary>
    Down,

    /// <summary>A killed gateway instance started again; ready at <see cref="Operation.End"/>.</summary>
    Up,
}

/// <summary>Which ids a read asks for.</summary>
public enum ReadTarget
{
    /// <summary>An id the catalog was seeded with: it exists from the start.</summary>
    Existing,

    /// <summary>A random id nobody ever created.</summary>
    Missing,

    /// <summary>An id created (2xx) or announced earlier, read again later.</summary>
    Earlier,

    /// <summary>An id just created (2xx), read right after the answer through every instance.</summary>
    AfterCreate,

    /// <summary>At the end, after the workload stopped: every id the catalog has, through every instance.</summary>
    Final,
}

/// <summary>
/// One entry of a recorded history: an operation a client made (with its start and end on the run's monotonic clock,
/// in milliseconds, and on the wall clock), what it got, or an event of the fault schedule.
/// </summary>
public sealed record Operation
{
    public required OpKind Kind { get; init; }

    public ReadTarget? Target { get; init; }

    /// <summary>The product id (one id for creates, reads and checks; <see cref="Ids"/> for announcements and inserts).</summary>
    public string? Id { get; init; }

    public IReadOnlyList<string>? Ids { get; init; }

    /// <summary>The gateway instance the request went through (0-based), or the instance an event concerns.</summary>
    public int? Instance { get; init; }

    /// <summary>Milliseconds since the run's start (monotonic) when the request was sent.</summary>
    public double Start { get; init; }

    /// <summary>Milliseconds since the run's start (monotonic) when the answer (or the error) came.</summary>
    public double End { get; init; }

    public DateTimeOffset StartWall { get; init; }

    public DateTimeOffset EndWall { get; init; }

    /// <summary>The HTTP status, or null when no answer came (see <see cref="Error"/>).</summary>
    public int? Status { get; init; }

    /// <summary><c>X-EdgeGuard-Source</c> of a read's answer.</summary>
    public string? Source { get; init; }

    /// <summary>The answer's <c>Age</c> header, in seconds.</summary>
    public long? Age { get; init; }

    /// <summary>Why no answer came (a timeout, a refused or reset connection).</summary>
    public string? Error { get; init; }

    /// <summary>What a fault event did, in words.</summary>
    public string? Note { get; init; }

    /// <summary>The ids this entry is about (<see cref="Id"/> or <see cref="Ids"/>).</summary>
    [JsonIgnore]
    public IEnumerable<string> AllIds => Id is not null ? [Id] : Ids ?? [];

    [JsonIgnore]
    public bool IsSuccess => Status is >= 200 and < 300;

    /// <summary>A 5xx, or no answer at all.</summary>
    [JsonIgnore]
    public bool IsFailure => Status is null or >= 500;
}
