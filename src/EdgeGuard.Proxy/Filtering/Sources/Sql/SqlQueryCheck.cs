using EdgeGuard.Proxy.Configuration;
using EdgeGuard.Proxy.Observability;

namespace EdgeGuard.Proxy.Filtering.Sources.Sql;

/// <summary>
/// At start-up, before the host starts (Program.cs runs it between building the app and running it, so a refusal
/// is reported like any configuration error: a message naming the setting and exit code 2, no stack trace): asks
/// the database whether the configured queries run (<see cref="SqlIdSource.CheckQueriesAsync"/>). A query the
/// database refuses stops start-up with a <see cref="ConfigurationErrorException"/>. A database that cannot be
/// reached now does not: the filter's first load retries with backoff, as for any source.
/// </summary>
public sealed class SqlQueryCheck(IOptions<EdgeGuardOptions> options, IServiceProvider services, ILogger<SqlQueryCheck> logger)
{
    /// <summary>How long start-up waits for the database before going on without the check.</summary>
    public static TimeSpan Timeout { get; } = TimeSpan.FromSeconds(5);

    /// <exception cref="ConfigurationErrorException">The database refused a configured query.</exception>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (!options.Value.Bloom.Sql.IsConfigured)
            {
                return;
            }
        }
        catch (OptionsValidationException)
        {
            // Invalid settings are reported when the host starts, as always (the same message, exit code 2).
            return;
        }

        // Only the SQL source is made here, not the others (the catalog's needs the proxy's state).
        if (services.GetRequiredService<ConfiguredSqlSource>().Source is not { } source)
        {
            return;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await source.CheckQueriesAsync(timeout.Token).ConfigureAwait(false);
            LogMessages.SqlQueriesChecked(logger, SqlSourceSettings.Describe(source.Provider));
        }
        catch (ConfigurationErrorException)
        {
            throw;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            LogMessages.SqlUnreachableAtStart(logger, SqlSourceSettings.Describe(source.Provider), source.Describe(e));
        }
    }
}

/// <summary>The SQL id source when <c>EdgeGuard:Bloom:Sql:Provider</c> is set (one instance: the one the filter reads).</summary>
public sealed class ConfiguredSqlSource(SqlIdSource? source)
{
    public SqlIdSource? Source => source;
}
