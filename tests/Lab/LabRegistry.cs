using System.Runtime.InteropServices;

namespace Orchestrator.Lab;

/// <summary>
/// The labs of this process that are not torn down yet. When the process is asked to stop (SIGTERM from a timeout,
/// SIGINT from Ctrl-C: .NET raises no ProcessExit for either by default) or exits before a test could dispose its lab,
/// they are killed and swept here, and the signal then takes its default course. Only SIGKILL leaves debris, which
/// the next lab to start sweeps.
/// </summary>
internal static class LabRegistry
{
    private static readonly HashSet<LabCluster> Live = [];

    /// <summary>Held through a teardown at exit: a second caller (SIGTERM, then ProcessExit) waits instead of letting the process end mid-sweep.</summary>
    private static readonly Lock TearingDown = new();

    // Held for the life of the process: a registration that is collected stops handling its signal.
    private static readonly PosixSignalRegistration[] Signals =
    [
        PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => TearDownAll()),
        PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => TearDownAll()),
    ];

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
        lock (TearingDown)
        {
            TearDownLive();
        }
    }

    private static void TearDownLive()
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
