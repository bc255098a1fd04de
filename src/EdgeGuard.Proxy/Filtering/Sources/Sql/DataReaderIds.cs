using System.Data;
using System.Runtime.CompilerServices;
using EdgeGuard.Proxy.Configuration;

namespace EdgeGuard.Proxy.Filtering.Sources.Sql;

/// <summary>
/// The full read through ADO.NET's data reader, row by row: any provider, any column type. The PostgreSQL source
/// falls back to it where a binary COPY cannot be used (see <see cref="PostgresCopyIds"/>).
/// </summary>
internal static class DataReaderIds
{
    /// <summary>The first column of every row of <paramref name="query"/>, as <see cref="SqlIdSource.IdReader"/> spells it.</summary>
    public static async IAsyncEnumerable<string> ReadAsync(SqlIdDatabase database, string query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var command = connection.CreateCommand();
            await using (command.ConfigureAwait(false))
            {
                command.CommandText = query;
                var reader = await command.ExecuteReaderAsync(CommandBehavior.SingleResult, cancellationToken).ConfigureAwait(false);
                var completed = false;
                try
                {
                    if (reader.FieldCount < 1)
                    {
                        throw NoColumn();
                    }

                    var read = SqlIdSource.IdReader(reader);
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        yield return read(reader);
                    }

                    completed = true;
                }
                finally
                {
                    if (!completed)
                    {
                        // Stopped half-way (cancelled, or the reader failed): a provider would otherwise read the
                        // rest of a large result to the end before the connection could be closed.
                        SqlIdSource.TryCancel(command);
                    }

                    await SqlIdSource.DisposeQuietlyAsync(reader, completed).ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>The error of a query that returned no column.</summary>
    public static SqlSourceException NoColumn() =>
        new($"{SqlSourceOptions.SectionPath}:Query returned no column; it must return one column of ids.");
}
