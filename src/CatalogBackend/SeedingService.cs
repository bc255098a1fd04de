namespace CatalogBackend;

/// <summary>
/// Creates the schema and seeds the catalog in the background at start-up, so that the server answers
/// <c>/health</c> (503 until done) while product requests wait for the seeding to finish. A failure stops
/// the host.
/// </summary>
internal sealed class SeedingService(
    CatalogOptions options, CatalogStore store, CatalogSeeder seeder, SeedingState state, ILogger<SeedingService> logger)
    : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.Run(() =>
    {
        try
        {
            logger.LogInformation("Catalog database {Database}; seeding from {ProductsFile}", options.DatabasePath, options.ProductsFile);
            store.EnsureSchema();
            state.Complete(seeder.Seed(options.ProductsFile, stoppingToken));
        }
        catch (Exception ex)
        {
            state.Fail(ex);
            if (ex is not OperationCanceledException)
            {
                logger.LogCritical(ex, "Seeding the catalog failed");
            }

            throw;
        }
    }, CancellationToken.None);
}
