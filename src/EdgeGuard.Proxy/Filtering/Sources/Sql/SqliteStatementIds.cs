using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace EdgeGuard.Proxy.Filtering.Sources.Sql;

/// <summary>
/// The full read from SQLite through its own statement API (SQLitePCLRaw, which Microsoft.Data.Sqlite is built on),
/// on the connection Microsoft.Data.Sqlite opened: one prepared statement stepped row by row, each id taken from the
/// row's UTF-8 bytes as they lie in SQLite's page (no value object, no type lookup per row). About a third less CPU
/// per id than the data reader (bench/RESULTS.md), and SQLite runs in this process, so that is the read's whole cost.
/// </summary>
/// <remarks>
/// Ids are spelled as the data reader spells them: text as it is, an INTEGER in invariant form, NULL as "" (an
/// invalid id the builder skips and counts); a REAL or BLOB value as SQLite converts it to text. A busy database
/// (a writer holding its lock, outside WAL mode) is waited for by SQLite's own busy handler for up to
/// <see cref="BusyTimeout"/>, as long as the data reader would wait.
/// </remarks>
internal static class SqliteStatementIds
{
    /// <summary>How long a busy database is waited for: Microsoft.Data.Sqlite's default command timeout.</summary>
    public static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The first column of every row of <paramref name="query"/>, in reused chunks of ids.</summary>
    public static async IAsyncEnumerable<IdChunk> ReadAsync(SqlIdDatabase database, string query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var connection = (SqliteConnection)await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var db = connection.Handle!;
            Check(raw.sqlite3_busy_timeout(db, (int)BusyTimeout.TotalMilliseconds), db);
            Check(raw.sqlite3_prepare_v2(db, query, out var statement), db);
            using (statement)
            {
                if (raw.sqlite3_column_count(statement) < 1)
                {
                    throw DataReaderIds.NoColumn();
                }

                var chunk = new IdChunk();
                while (Step(statement, db, cancellationToken))
                {
                    Id(statement, chunk);
                    if (chunk.IsFull)
                    {
                        yield return chunk;
                        chunk.Clear();
                    }
                }

                if (chunk.Count > 0)
                {
                    yield return chunk;
                }
            }
        }
    }

    private static bool Step(sqlite3_stmt statement, sqlite3 db, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var result = raw.sqlite3_step(statement);
        if (result is not (raw.SQLITE_ROW or raw.SQLITE_DONE))
        {
            Check(result, db);
        }

        return result == raw.SQLITE_ROW;
    }

    private static void Id(sqlite3_stmt statement, IdChunk into)
    {
        switch (raw.sqlite3_column_type(statement, 0))
        {
            case raw.SQLITE_NULL:
                into.Add("");
                break;
            case raw.SQLITE_INTEGER:
                into.AddFormatted(raw.sqlite3_column_int64(statement, 0), 20);
                break;
            default:
                into.AddUtf8(raw.sqlite3_column_blob(statement, 0)); // a TEXT value's own bytes; others as SQLite spells them
                break;
        }
    }

    private static void Check(int result, sqlite3 db)
    {
        if (result != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(result, db);
        }
    }
}
