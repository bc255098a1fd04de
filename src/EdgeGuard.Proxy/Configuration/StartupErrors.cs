namespace EdgeGuard.Proxy.Configuration;

/// <summary>A setting that stops start-up; its message names the setting.</summary>
public sealed class ConfigurationErrorException(string message) : Exception(message);

/// <summary>
/// Finds the configuration errors in an exception thrown while the gateway starts, wherever the host, the
/// options system or YARP wrapped them (options are validated as the proxy pipeline is built, before the
/// host even runs). An operator gets those messages and exit code 2, not a stack trace.
/// </summary>
public static class StartupErrors
{
    /// <summary>Exit code for a configuration that cannot run.</summary>
    public const int InvalidConfigurationExitCode = 2;

    public static IReadOnlyList<string> Find(Exception exception)
    {
        var found = new List<string>();
        Collect(exception, found);
        return found;
    }

    private static void Collect(Exception? exception, List<string> found)
    {
        switch (exception)
        {
            case null:
                return;
            case OptionsValidationException validation:
                found.AddRange(validation.Failures);
                return;
            case ConfigurationErrorException error:
                found.Add(error.Message);
                return;
            case AggregateException aggregate:
                foreach (var inner in aggregate.InnerExceptions)
                {
                    Collect(inner, found);
                }

                return;
            default:
                Collect(exception.InnerException, found);
                return;
        }
    }
}
