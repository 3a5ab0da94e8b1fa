namespace Orchestrator.Agent.Docker;

/// <summary>A Docker operation failed; <see cref="Exception.Message"/> is Docker's own message.</summary>
public sealed class DockerOperationException : Exception
{
    public DockerOperationException()
    {
    }

    public DockerOperationException(string message) : base(message)
    {
    }

    public DockerOperationException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
