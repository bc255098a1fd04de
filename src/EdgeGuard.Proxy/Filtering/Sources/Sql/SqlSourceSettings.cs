using System.Data.Common;
using System.Text.RegularExpressions;
using EdgeGuard.Proxy.Configuration;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace EdgeGuard.Proxy.Filtering.Sources.Sql;

/// <summary>The database products an <see cref="SqlIdSource"/> can read.</summary>
public enum SqlProvider
{
    Postgres,
    Sqlite,
}

/// <summary>
/// The checks of <c>EdgeGuard:Bloom:Sql</c> that need no I/O (run by options validation at start-up): the
/// provider is known, the connection string parses for it, the queries are given and the incremental one
/// takes <c>@cursor</c>. Whether the queries parse is for the database to say (<see cref="SqlQueryCheck"/>).
/// Messages name the setting and never repeat the connection string (it may hold a password).
/// </summary>
public static partial class SqlSourceSettings
{
    private const string Section = SqlSourceOptions.SectionPath;

    public static bool TryParseProvider(string? value, out SqlProvider provider)
    {
        switch (value?.Trim().ToLowerInvariant())
        {
            case "postgres":
                provider = SqlProvider.Postgres;
                return true;
            case "sqlite":
                provider = SqlProvider.Sqlite;
                return true;
            default:
                provider = default;
                return false;
        }
    }

    public static IReadOnlyList<string> Validate(SqlSourceOptions options)
    {
        var failures = new List<string>();
        if (!options.IsMentioned)
        {
            return failures;
        }

        if (!options.IsConfigured)
        {
            failures.Add($"{Section}:Provider is not set, but other {Section} settings are: set it to postgres or sqlite (or remove the section).");
            return failures;
        }

        if (!TryParseProvider(options.Provider, out var provider))
        {
            failures.Add($"{Section}:Provider '{options.Provider}' is not supported: use postgres or sqlite.");
            return failures;
        }

        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            failures.Add($"{Section}:ConnectionString (or env {SqlSourceOptions.ConnectionStringVariable}) is required for the {Describe(provider)} id source.");
        }
        else if (ConnectionStringError(provider, options.ConnectionString) is { } error)
        {
            failures.Add($"{Section}:ConnectionString (or env {SqlSourceOptions.ConnectionStringVariable}) is not a {Describe(provider)} connection string: {error}");
        }

        if (string.IsNullOrWhiteSpace(options.Query))
        {
            failures.Add($"{Section}:Query is required: a SELECT returning one column, every product id once.");
        }

        // Empty means none (an empty value in appsettings or the environment): no polling.
        if (options.IncrementalQuery is { } incremental && !string.IsNullOrWhiteSpace(incremental) && !CursorParameter().IsMatch(incremental))
        {
            failures.Add($"{Section}:IncrementalQuery does not use the parameter @cursor: it must return the rows (id, cursor) after @cursor, in cursor order (@cursor is NULL on the first poll).");
        }

        return failures;
    }

    /// <summary>Why <paramref name="connectionString"/> cannot be used with <paramref name="provider"/>, or null.</summary>
    public static string? ConnectionStringError(SqlProvider provider, string connectionString)
    {
        try
        {
            switch (provider)
            {
                case SqlProvider.Postgres:
                    var postgres = new NpgsqlConnectionStringBuilder(connectionString);
                    return string.IsNullOrWhiteSpace(postgres.Host) ? "it names no Host." : null;
                case SqlProvider.Sqlite:
                    var sqlite = new SqliteConnectionStringBuilder(connectionString);
                    if (string.IsNullOrWhiteSpace(sqlite.DataSource) || sqlite.DataSource.Trim() == ":memory:" || sqlite.Mode == SqliteOpenMode.Memory)
                    {
                        return "it names no database file (Data Source); an in-memory database holds no catalog.";
                    }

                    return null;
                default:
                    return "unknown provider.";
            }
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException or OverflowException or KeyNotFoundException)
        {
            return e.Message;
        }
    }

    /// <summary>True when the connection string sets <paramref name="keyword"/> itself.</summary>
    internal static bool Mentions(string connectionString, string keyword) =>
        new DbConnectionStringBuilder { ConnectionString = connectionString }.ContainsKey(keyword);

    internal static string Describe(SqlProvider provider) => provider switch
    {
        SqlProvider.Postgres => "PostgreSQL",
        SqlProvider.Sqlite => "SQLite",
        _ => provider.ToString(),
    };

    [GeneratedRegex(@"@cursor\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex CursorParameter();
}
