using System.Globalization;
using StackExchange.Redis;

namespace EdgeGuard.Proxy.Cluster;

/// <summary>What an entry of the filter log says.</summary>
public enum LogOp
{
    /// <summary>A write of <see cref="FilterStreamEntry.Id"/> is about to be forwarded: the id is pending everywhere.</summary>
    Begin,

    /// <summary>The catalog accepted that write: an upsert's id enters every filter; cached answers for it go.</summary>
    Commit,

    /// <summary>The catalog refused it, or it never reached the catalog: the id stops being pending.</summary>
    Abort,

    /// <summary>Ids that exist in the catalog, learned outside the write path (a poll of its database, an admin).</summary>
    Add,

    /// <summary>A new filter snapshot is in Redis: instances may take it instead of rebuilding.</summary>
    Snapshot,

    /// <summary>
    /// The log lost entries some instance had applied (Redis failed over to a replica that lacked them, or came back
    /// from an older copy): every instance that applies this reloads from the sources, where every acknowledged
    /// write is, instead of trusting a filter built from the log or a snapshot of that time.
    /// </summary>
    Lost,
}

/// <summary>One entry of the filter log (a Redis stream entry's fields, named shortly on the wire).</summary>
public sealed record FilterStreamEntry(LogOp Op)
{
    public LogPosition Position { get; init; }

    public string? Id { get; init; }

    /// <summary>Identifies one write across its begin and its end.</summary>
    public string? WriteId { get; init; }

    public bool IsDelete { get; init; }

    public IReadOnlyList<string> Ids { get; init; } = [];

    /// <summary>Who appended it.</summary>
    public string? By { get; init; }

    /// <summary>When a begun write is considered orphaned (its writer gone) and settled by the leader (unix ms).</summary>
    public long Deadline { get; init; }

    public long SnapshotVersion { get; init; }

    public NameValueEntry[] ToFields()
    {
        var fields = new List<NameValueEntry>(6) { new("op", Op.ToString().ToLowerInvariant()) };
        if (Id is not null)
        {
            fields.Add(new("id", Id));
        }

        if (WriteId is not null)
        {
            fields.Add(new("w", WriteId));
        }

        if (IsDelete)
        {
            fields.Add(new("del", "1"));
        }

        if (Ids.Count > 0)
        {
            fields.Add(new("ids", string.Join('\n', Ids)));
        }

        if (By is not null)
        {
            fields.Add(new("by", By));
        }

        if (Deadline != 0)
        {
            fields.Add(new("dl", Deadline));
        }

        if (SnapshotVersion != 0)
        {
            fields.Add(new("v", SnapshotVersion));
        }

        return [.. fields];
    }

    /// <summary>Null for an entry this version does not understand (skipped, never an error).</summary>
    public static FilterStreamEntry? From(StreamEntry entry)
    {
        string? op = null, id = null, write = null, ids = null, by = null;
        long deadline = 0, version = 0;
        var isDelete = false;
        foreach (var field in entry.Values)
        {
            switch ((string?)field.Name)
            {
                case "op": op = field.Value; break;
                case "id": id = field.Value; break;
                case "w": write = field.Value; break;
                case "ids": ids = field.Value; break;
                case "by": by = field.Value; break;
                case "del": isDelete = field.Value == "1"; break;
                case "dl": deadline = long.Parse((string)field.Value!, CultureInfo.InvariantCulture); break;
                case "v": version = long.Parse((string)field.Value!, CultureInfo.InvariantCulture); break;
            }
        }

        if (!Enum.TryParse<LogOp>(op, ignoreCase: true, out var parsed))
        {
            return null;
        }

        return new FilterStreamEntry(parsed)
        {
            Position = LogPosition.Parse(entry.Id),
            Id = id,
            WriteId = write,
            IsDelete = isDelete,
            Ids = ids is null ? [] : ids.Split('\n', StringSplitOptions.RemoveEmptyEntries),
            By = by,
            Deadline = deadline,
            SnapshotVersion = version,
        };
    }
}
