using System.Globalization;
using StackExchange.Redis;

namespace EdgeGuard.Testing.Redis;

/// <summary>Redis's own count of the commands it has run (<c>INFO commandstats</c>), by command name.</summary>
public static class CommandStats
{
    public static Task<IGrouping<string, KeyValuePair<string, string>>[]> ReadAsync(IServer server) => server.InfoAsync("commandstats");

    /// <summary>How many times Redis has run <paramref name="command"/> (lower case, as Redis names it).</summary>
    public static long Calls(IGrouping<string, KeyValuePair<string, string>>[] stats, string command)
    {
        var stat = stats.SelectMany(group => group).FirstOrDefault(pair => pair.Key == "cmdstat_" + command).Value;
        return stat is null ? 0 : long.Parse(stat.Split(',')[0]["calls=".Length..], CultureInfo.InvariantCulture);
    }

    public static async Task<long> CallsAsync(IServer server, string command) => Calls(await ReadAsync(server), command);
}
