using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;

namespace EdgeGuard.Proxy.Configuration;

public static class AppSettingsLocation
{
    /// <summary>
    /// The gateway is run from the repository root (its data paths are relative to it), so the content root
    /// holds no <c>appsettings.json</c>; the one that ships beside the binary is read instead, in the same
    /// place among the sources, so environment variables and the command line still override it.
    /// </summary>
    public static void ReadAppSettingsBesideBinary(this ConfigurationManager configuration)
    {
        for (var i = 0; i < configuration.Sources.Count; i++)
        {
            if (configuration.Sources[i] is JsonConfigurationSource { Path: { } path } source &&
                source.FileProvider?.GetFileInfo(path).Exists != true &&
                File.Exists(System.IO.Path.Combine(AppContext.BaseDirectory, path)))
            {
                source.FileProvider = new PhysicalFileProvider(AppContext.BaseDirectory);
                configuration.Sources[i] = source; // re-assigning rebuilds the provider
            }
        }
    }
}
