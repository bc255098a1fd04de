namespace CatalogBackend;

/// <summary>The catalog's default address, used only when nothing else says where to listen.</summary>
internal static class CatalogUrls
{
    public const string Default = "http://127.0.0.1:8001";

    /// <summary>
    /// Listens on <see cref="Default"/> unless <c>--urls</c>, <c>ASPNETCORE_URLS</c>/<c>URLS</c>,
    /// <c>ASPNETCORE_HTTP_PORTS</c>/<c>HTTPS_PORTS</c> or a <c>Kestrel:Endpoints</c> section is configured.
    /// </summary>
    public static void UseDefaultUnlessConfigured(WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var configured =
            !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.ServerUrlsKey]) ||
            !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.HttpPortsKey]) ||
            !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.HttpsPortsKey]) ||
            configuration.GetSection("Kestrel:Endpoints").GetChildren().Any();
        if (!configured)
        {
            builder.WebHost.UseUrls(Default);
        }
    }
}
