namespace Orchestrator.ControlPlane.Tasks;

/// <summary>
/// The container instances' agents as the rest of the control plane needs to know them: whether one is connected,
/// whether it can be given tasks now (connected, its container runtime answering), since when its runtime is in the
/// state it reported; and a way to end an agent's session (when its instance is deregistered).
/// </summary>
public interface IAgentConnections
{
    /// <summary>Raised with an instance's ARN when its agent connects, goes away, or its runtime health changes.</summary>
    event Action<string>? ConnectivityChanged;

    bool IsConnected(string instanceArn);

    bool IsAvailable(string instanceArn);

    /// <summary>Whether the agent's container runtime is impaired, and since when; null while it is not connected.</summary>
    (bool Impaired, DateTimeOffset Since)? RuntimeOf(string instanceArn);

    /// <summary>Ends the instance's agent session, if it has one.</summary>
    void Disconnect(string instanceArn);

    /// <summary>What the instance's task containers use in all, as its agent last reported; null when not reported (or not connected).</summary>
    InstanceUsageReport? UsageOf(string instanceArn) => null;
}

/// <summary>An instance's usage as its agent reported it with a heartbeat; CPU in percent of one CPU.</summary>
public sealed record InstanceUsageReport(DateTimeOffset At, double CpuPercent, long MemoryUsedBytes, int RunningContainers);
