using System.Globalization;

namespace EdgeGuard.Testing.Scale;

/// <summary>A Linux process's resident memory as the kernel counts it (<c>/proc/&lt;pid&gt;/status</c>).</summary>
public static class ProcessMemory
{
    /// <summary>VmRSS (resident now) and VmHWM (the most resident since start or the last <see cref="ResetPeak"/>), in bytes.</summary>
    public static (long Resident, long Peak) Read(int processId)
    {
        long resident = 0, peak = 0;
        foreach (var line in File.ReadLines($"/proc/{processId}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                resident = Kilobytes(line) * 1024;
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                peak = Kilobytes(line) * 1024;
            }
        }

        return (resident, peak);
    }

    /// <summary>Starts VmHWM again from VmRSS (writing 5 to <c>clear_refs</c>, Linux 4.0 and later).</summary>
    public static void ResetPeak(int processId) => File.WriteAllText($"/proc/{processId}/clear_refs", "5");

    /// <summary>The median of VmRSS sampled <paramref name="samples"/> times, <paramref name="interval"/> apart.</summary>
    public static async Task<long> SteadyResidentAsync(int processId, int samples, TimeSpan interval)
    {
        var values = new List<long>();
        for (var i = 0; i < samples; i++)
        {
            if (i > 0)
            {
                await Task.Delay(interval);
            }

            values.Add(Read(processId).Resident);
        }

        values.Sort();
        return values[values.Count / 2];
    }

    private static long Kilobytes(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}
