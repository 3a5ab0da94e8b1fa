namespace Orchestrator.Lab;

/// <summary>
/// The labs of this process that are not torn down yet. When the process is asked to exit (SIGTERM from a timeout,
/// Ctrl-C) before a test could dispose its lab, they are killed and swept here; only SIGKILL leaves debris, which the
/// next lab to start sweeps.
/// </summary>
internal static class LabRegistry
{
    private static readonly HashSet<LabCluster> Live = [];

    static LabRegistry() => AppDomain.CurrentDomain.ProcessExit += (_, _) => TearDownAll();

    public static void Add(LabCluster lab)
    {
        lock (Live)
        {
            Live.Add(lab);
        }
    }

    public static void Remove(LabCluster lab)
    {
        lock (Live)
        {
            Live.Remove(lab);
        }
    }

    private static void TearDownAll()
    {
        List<LabCluster> labs;
        lock (Live)
        {
            labs = [.. Live];
            Live.Clear();
        }

        foreach (var lab in labs)
        {
            try
            {
                lab.TearDownNow();
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"Tearing down lab {lab.Id} at exit failed: {e.Message}");
            }
        }
    }
}
