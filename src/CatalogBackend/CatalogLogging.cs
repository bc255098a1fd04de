namespace CatalogBackend;

internal static class CatalogLogging
{
    /// <summary>
    /// Quiet defaults for a service under load tests: no per-request lines from ASP.NET Core, and no error
    /// line for each health probe during seeding (a seeding failure is logged by the seeding service).
    /// </summary>
    public static void Configure(ILoggingBuilder logging)
    {
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        logging.AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.Critical);
    }
}
