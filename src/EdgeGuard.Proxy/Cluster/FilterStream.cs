using System.Globalization;
using StackExchange.Redis;

namespace EdgeGuard.Proxy.Cluster;

/// <summary>Who is live, how far the log goes, and the Redis dataset's identity, as one heartbeat saw them.</summary>
/// <param name="LiveMembers">Members whose membership has not expired.</param>
/// <param name="End">The last entry appended to the log.</param>
/// <param name="Generation">The dataset's generation (changes when Redis loses the cluster's state).</param>
/// <param name="WasMember">Whether this instance was a live member just before this heartbeat. If not (it never
/// was, or its membership expired while it was cut off or frozen), writes may have completed without it.</param>
public readonly record struct Heartbeat(int LiveMembers, LogPosition End, string Generation, bool WasMember);

/// <summary>
/// The cluster's filter log and membership on Redis's own structures, through StackExchange.Redis: the log is a
/// stream (XADD, XREAD; bounded with MAXLEN ~), membership a sorted set scored by expiry plus a hash of applied
/// positions, the leader a key with a TTL. Scripts that read or change several keys touch only keys under the
/// cluster's hash tag.
/// </summary>
public sealed class FilterStream(IConnectionMultiplexer redis, ClusterKeys keys, int maxLength)
{
    // Refreshes this member's expiry and applied position, drops expired members, and reports the log's end,
    // the live count and the generation: one round trip a heartbeat.
    private static readonly LuaScript HeartbeatScript = LuaScript.Prepare("""
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local score = redis.call('ZSCORE', @members, @instance)
        local wasMember = 0
        if score and tonumber(score) > now then wasMember = 1 end
        local expired = redis.call('ZRANGEBYSCORE', @members, '-inf', now)
        for _, member in ipairs(expired) do
          redis.call('ZREM', @members, member)
          redis.call('HDEL', @positions, member)
        end
        redis.call('ZADD', @members, now + tonumber(@ttl), @instance)
        redis.call('HSET', @positions, @instance, @position)
        local last = redis.call('XREVRANGE', @log, '+', '-', 'COUNT', 1)
        local lastId = '0-0'
        if #last > 0 then lastId = last[1][1] end
        local generation = redis.call('GET', @generation)
        return { redis.call('ZCOUNT', @members, now, '+inf'), lastId, generation or '', wasMember }
        """);

    // Live members whose applied position is below @target (stream ids compared as ms, then sequence).
    private static readonly LuaScript LaggardsScript = LuaScript.Prepare("""
        local function parse(id)
          local dash = string.find(id, '-', 1, true)
          return tonumber(string.sub(id, 1, dash - 1)), tonumber(string.sub(id, dash + 1))
        end
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local tms, tseq = parse(@target)
        local behind = {}
        for _, member in ipairs(redis.call('ZRANGEBYSCORE', @members, now, '+inf')) do
          local position = redis.call('HGET', @positions, member)
          local pms, pseq = 0, 0
          if position then pms, pseq = parse(position) end
          if pms < tms or (pms == tms and pseq < tseq) then table.insert(behind, member) end
        end
        return behind
        """);

    private static readonly LuaScript LeaveScript = LuaScript.Prepare("""
        redis.call('ZREM', @members, @instance)
        redis.call('HDEL', @positions, @instance)
        return 1
        """);

    private static readonly LuaScript RenewLeaseScript = LuaScript.Prepare("""
        if redis.call('GET', @lease) == @instance then
          return redis.call('PEXPIRE', @lease, @ttl)
        end
        return 0
        """);

    private static readonly LuaScript ReleaseLeaseScript = LuaScript.Prepare("""
        if redis.call('GET', @lease) == @instance then return redis.call('DEL', @lease) end
        return 0
        """);

    public ClusterKeys Keys => keys;

    private IDatabase Db => redis.GetDatabase();

    /// <summary>Appends an entry and rings the doorbell; its position.</summary>
    public async Task<LogPosition> AppendAsync(FilterStreamEntry entry)
    {
        var id = await Db.StreamAddAsync(keys.Log, entry.ToFields(), maxLength: maxLength, useApproximateMaxLength: true).ConfigureAwait(false);
        var position = LogPosition.Parse(id);
        await redis.GetSubscriber().PublishAsync(keys.Doorbell, position.StreamId, CommandFlags.FireAndForget).ConfigureAwait(false);
        return position;
    }

    /// <summary>Entries after <paramref name="after"/>, oldest first, at most <paramref name="count"/>.</summary>
    public async Task<IReadOnlyList<FilterStreamEntry>> ReadAsync(LogPosition after, int count)
    {
        var entries = await Db.StreamReadAsync(keys.Log, after.StreamId, count).ConfigureAwait(false);
        var read = new List<FilterStreamEntry>(entries.Length);
        foreach (var entry in entries)
        {
            read.Add(FilterStreamEntry.From(entry) ?? new FilterStreamEntry(LogOp.Add) { Position = LogPosition.Parse(entry.Id) });
        }

        return read;
    }

    /// <summary>Entries in (<paramref name="after"/>, <paramref name="through"/>], oldest first.</summary>
    public async Task<IReadOnlyList<FilterStreamEntry>> RangeAsync(LogPosition after, LogPosition through)
    {
        var entries = await Db.StreamRangeAsync(keys.Log, "(" + after.StreamId, through.StreamId).ConfigureAwait(false);
        return [.. entries.Select(FilterStreamEntry.From).OfType<FilterStreamEntry>()];
    }

    /// <summary>
    /// Whether the log still holds every entry after <paramref name="position"/>. Trimming (MAXLEN) removes the
    /// oldest entries and moves the first one (it does not move Redis's max-deleted-entry-id, which only XDEL
    /// does): a reader whose position is older than the first entry kept may have missed the ones in between.
    /// A reader at the very start is only whole if nothing was ever trimmed (every entry ever added is still there).
    /// </summary>
    public async Task<bool> ReachesBackToAsync(LogPosition position)
    {
        if (!await Db.KeyExistsAsync(keys.Log).ConfigureAwait(false))
        {
            return true;
        }

        var info = await Db.StreamInfoAsync(keys.Log).ConfigureAwait(false);
        if (info.Length == 0 || info.EntriesAdded == info.Length)
        {
            return true;
        }

        return LogPosition.Parse(info.FirstEntry.Id) <= position;
    }

    /// <summary>The log's last entry (0-0 when it has none).</summary>
    public async Task<LogPosition> EndAsync()
    {
        var last = await Db.StreamRangeAsync(keys.Log, "-", "+", count: 1, messageOrder: Order.Descending).ConfigureAwait(false);
        return last.Length == 0 ? default : LogPosition.Parse(last[0].Id);
    }

    /// <summary>The highest applied position any member recorded (they record it with every heartbeat).</summary>
    public async Task<LogPosition> HighestAppliedAsync()
    {
        var highest = default(LogPosition);
        foreach (var position in await Db.HashValuesAsync(keys.Positions).ConfigureAwait(false))
        {
            var parsed = LogPosition.Parse((string?)position);
            highest = parsed > highest ? parsed : highest;
        }

        return highest;
    }

    /// <summary>The dataset's generation: set once (a random value) and kept while Redis keeps its data.</summary>
    public async Task<string> EnsureGenerationAsync()
    {
        var fresh = Guid.NewGuid().ToString("N");
        await Db.StringSetAsync(keys.Generation, fresh, when: When.NotExists).ConfigureAwait(false);
        return (string?)await Db.StringGetAsync(keys.Generation).ConfigureAwait(false) ?? fresh;
    }

    public async Task<Heartbeat> HeartbeatAsync(string instance, LogPosition applied, TimeSpan membershipTtl)
    {
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(HeartbeatScript, new
        {
            members = keys.Members,
            positions = keys.Positions,
            log = keys.Log,
            generation = keys.Generation,
            instance,
            position = applied.StreamId,
            ttl = (long)membershipTtl.TotalMilliseconds,
        }).ConfigureAwait(false))!;
        return new Heartbeat((int)result[0], LogPosition.Parse((string?)result[1]), (string?)result[2] ?? "", (int)result[3] == 1);
    }

    /// <summary>Records this member's applied position and tells waiting writers.</summary>
    public async Task PublishAppliedAsync(string instance, LogPosition applied)
    {
        await Db.HashSetAsync(keys.Positions, instance, applied.StreamId).ConfigureAwait(false);
        await redis.GetSubscriber().PublishAsync(keys.Applied, applied.StreamId, CommandFlags.FireAndForget).ConfigureAwait(false);
    }

    /// <summary>Live members that have not applied the log up to <paramref name="target"/>.</summary>
    public async Task<IReadOnlyList<string>> LaggardsAsync(LogPosition target)
    {
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(LaggardsScript, new
        {
            members = keys.Members,
            positions = keys.Positions,
            target = target.StreamId,
        }).ConfigureAwait(false))!;
        return [.. result.Select(member => (string)member!)];
    }

    /// <summary>Leaves the cluster at once (a clean stop): writers stop waiting for this member.</summary>
    public Task LeaveAsync(string instance) =>
        Db.ScriptEvaluateAsync(LeaveScript, new { members = keys.Members, positions = keys.Positions, instance });

    /// <summary>True for the first instance to report a loss of log entries within <paramref name="ttl"/>.</summary>
    public Task<bool> TryClaimLostReportAsync(string instance, TimeSpan ttl) =>
        Db.StringSetAsync(keys.LostReport, instance, ttl, When.NotExists);

    public Task<bool> TryAcquireLeaseAsync(string instance, TimeSpan ttl) =>
        Db.StringSetAsync(keys.LeaderLease, instance, ttl, When.NotExists);

    public async Task<bool> RenewLeaseAsync(string instance, TimeSpan ttl) =>
        (long)(await Db.ScriptEvaluateAsync(RenewLeaseScript, new { lease = keys.LeaderLease, instance, ttl = (long)ttl.TotalMilliseconds }).ConfigureAwait(false)) == 1;

    public Task ReleaseLeaseAsync(string instance) =>
        Db.ScriptEvaluateAsync(ReleaseLeaseScript, new { lease = keys.LeaderLease, instance });

    public async Task<string?> LeaseHolderAsync() => await Db.StringGetAsync(keys.LeaderLease).ConfigureAwait(false);

    /// <summary>The cluster's filter key, made now (random) if no instance made one yet.</summary>
    public async Task<string> EnsureFilterKeyAsync(string candidateHex)
    {
        await Db.StringSetAsync(keys.FilterKey, candidateHex, when: When.NotExists).ConfigureAwait(false);
        return (string)(await Db.StringGetAsync(keys.FilterKey).ConfigureAwait(false))!;
    }

    public static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);
}
