namespace Orchestrator.Lab;

/// <summary>
/// A machine-wide lock (an flock on /tmp/olab.lock, which .NET takes for FileShare.None) held while labs are swept
/// and a new lab picks its id and subnet, so two test processes never pick the same subnet or sweep a lab that is
/// being created.
/// </summary>
internal sealed class LabLock : IDisposable
{
    private const string LockPath = LabId.Root + "/olab.lock";

    private readonly FileStream _file;

    private LabLock(FileStream file) => _file = file;

    public static async Task<LabLock> AcquireAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                return new LabLock(new FileStream(LockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200, cancellationToken);
            }
        }
    }

    public void Dispose() => _file.Dispose();
}
