namespace Orchestrator.Agent.Docker;

/// <summary>The Docker host's operating system, as Docker's info names it (<c>linux</c>, <c>windows</c>).</summary>
public static class DockerOs
{
    public static bool IsWindows(string? osType) => string.Equals(osType, "windows", StringComparison.OrdinalIgnoreCase);
}
