using System.ComponentModel;
using System.Runtime.InteropServices;

namespace EdgeGuard.Testing;

/// <summary>POSIX signals sent to a process by id (Linux numbering).</summary>
public static partial class Signals
{
    public const int Interrupt = 2;
    public const int Quit = 3;
    public const int Kill = 9;
    public const int Term = 15;
    public const int Continue = 18;
    public const int Stop = 19;

    /// <summary>Sends <paramref name="signal"/> to <paramref name="processId"/>; a process already gone is not an error.</summary>
    public static void Send(int processId, int signal)
    {
        if (SendSignal(processId, signal) != 0)
        {
            var error = Marshal.GetLastPInvokeError();
            const int noSuchProcess = 3; // ESRCH
            if (error != noSuchProcess)
            {
                throw new Win32Exception(error, $"kill({processId}, {signal}) failed");
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int processId, int signal);
}
