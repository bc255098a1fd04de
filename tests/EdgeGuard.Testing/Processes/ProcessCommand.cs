using System.Diagnostics;

namespace EdgeGuard.Testing;

/// <summary>
/// How to start a process: the executable, its arguments, the working directory, environment changes (a null
/// value removes a variable) and, when the tests run as root, the OS user to run it as.
/// </summary>
public sealed record ProcessCommand(string Executable, IReadOnlyList<string> Arguments)
{
    public string WorkingDirectory { get; init; } = Path.GetTempPath();

    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();

    /// <summary>Names of inherited variables to remove before <see cref="Environment"/> is applied.</summary>
    public Func<string, bool> RemoveInherited { get; init; } = _ => false;

    /// <summary>Runs the process as this OS user (only root may); null: as the current user.</summary>
    public string? UserName { get; init; }

    /// <summary>Starts the process, sending its output lines to <paramref name="output"/>.</summary>
    internal Process Start(ProcessOutput output)
    {
        var start = new ProcessStartInfo(Executable)
        {
            WorkingDirectory = WorkingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in start.Environment.Keys.Where(RemoveInherited).ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in Environment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        if (UserName is not null)
        {
            start.UserName = UserName;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.Start();
        output.Capture(process);
        return process;
    }
}
