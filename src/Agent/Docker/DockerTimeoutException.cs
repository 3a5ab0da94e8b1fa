namespace Orchestrator.Agent.Docker;

/// <summary>
/// Docker did not answer a call within its timeout (see <see cref="TimeoutDockerDriver"/>). The message is the ECS
/// agent's: <c>Could not transition to created; timed out after waiting 4m0s</c>.
/// </summary>
public sealed class DockerTimeoutException : Exception
{
    /// <summary>The ECS agent's name for this error, which starts the reason a task stops with.</summary>
    public const string ErrorName = "DockerTimeoutError";

    public DockerTimeoutException()
    {
        Transition = "";
    }

    public DockerTimeoutException(string message) : base(message)
    {
        Transition = "";
    }

    public DockerTimeoutException(string message, Exception innerException) : base(message, innerException)
    {
        Transition = "";
    }

    /// <param name="transition">What the call was to achieve, as the ECS agent says it: <c>pulled</c>, <c>created</c>, <c>started</c> …</param>
    public DockerTimeoutException(string transition, TimeSpan timeout)
        : base($"Could not transition to {transition}; timed out after waiting {GoDuration(timeout)}")
    {
        Transition = transition;
        Timeout = timeout;
    }

    public string Transition { get; }

    public TimeSpan Timeout { get; }

    /// <summary>The reason a task stops with: <c>DockerTimeoutError: Could not transition to …</c>.</summary>
    public string Reason => $"{ErrorName}: {Message}";

    /// <summary>A duration as Go prints it (the ECS agent's messages do): <c>4m0s</c>, <c>30s</c>, <c>2h0m0s</c>, <c>500ms</c>.</summary>
    public static string GoDuration(TimeSpan value)
    {
        if (value < TimeSpan.FromSeconds(1))
        {
            return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{value.TotalMilliseconds:0.###}ms");
        }

        var hours = (long)value.TotalHours;
        var minutes = value.Minutes;
        var seconds = (value - TimeSpan.FromHours(hours) - TimeSpan.FromMinutes(minutes)).TotalSeconds;
        var text = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{seconds:0.#########}s");
        return hours > 0 ? $"{hours}h{minutes}m{text}" : minutes > 0 ? $"{minutes}m{text}" : text;
    }
}
