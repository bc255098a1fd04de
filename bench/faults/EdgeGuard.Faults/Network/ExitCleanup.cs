namespace EdgeGuard.Faults.Network;

/// <summary>
/// What must be undone even when the harness does not end normally (an unhandled error, a second Ctrl-C): network
/// namespaces and the bridge, processes the run started. Each action is registered while its resource exists and runs
/// once, last registered first, at process exit if it was not undone before.
/// </summary>
public static class ExitCleanup
{
    private static readonly Lock Gate = new();
    private static readonly List<Registration> Registered = [];

    static ExitCleanup() => AppDomain.CurrentDomain.ProcessExit += (_, _) => RunAll();

    /// <summary>Registers <paramref name="undo"/>; disposing the result runs it (once) and unregisters it.</summary>
    public static IDisposable Register(Action undo)
    {
        var registration = new Registration(undo);
        lock (Gate)
        {
            Registered.Add(registration);
        }

        return registration;
    }

    private static void RunAll()
    {
        List<Registration> pending;
        lock (Gate)
        {
            pending = [.. Registered];
        }

        for (var i = pending.Count - 1; i >= 0; i--)
        {
            pending[i].Dispose();
        }
    }

    private sealed class Registration(Action undo) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 1)
            {
                return;
            }

            lock (Gate)
            {
                Registered.Remove(this);
            }

            try
            {
                undo();
            }
            catch (Exception e)
            {
                Console.Error.WriteLine($"faults: cleanup failed: {e.Message}");
            }
        }
    }
}
