using System.Net.Sockets;

namespace Orchestrator.Agent.Docker;

public static class DockerErrors
{
    /// <summary>
    /// Whether a failure means the engine could not be reached at all (socket missing, connection refused or reset),
    /// as opposed to Docker refusing the operation. Such failures are waited out and retried, never blamed on the task.
    /// </summary>
    public static bool IsUnreachable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is HttpRequestException or SocketException or IOException or TimeoutException)
            {
                return true;
            }
        }

        return false;
    }
}
