namespace EdgeGuard.Testing;

/// <summary>
/// Other work on the machine, for tests that must hold on a busy one: busy loops (one per core) at <c>nice 5</c>, as
/// other processes compete for the cores a gateway runs on. Disposing stops them.
/// </summary>
public sealed class CpuHog : IDisposable
{
    private readonly List<System.Diagnostics.Process> _loops = [];

    private CpuHog(int loops)
    {
        for (var i = 0; i < loops; i++)
        {
            _loops.Add(System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("nice", ["-n", "5", "sh", "-c", "while :; do :; done"])
            {
                UseShellExecute = false,
            })!);
        }
    }

    /// <summary>Starts one busy loop per core.</summary>
    public static CpuHog Start() => new(Environment.ProcessorCount);

    public void Dispose()
    {
        foreach (var loop in _loops)
        {
            try
            {
                loop.Kill(entireProcessTree: true);
                loop.WaitForExit(5_000);
            }
            catch (InvalidOperationException)
            {
            }

            loop.Dispose();
        }
    }
}
