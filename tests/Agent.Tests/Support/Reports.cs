using Orchestrator.Agent.State;

namespace Orchestrator.Agent.Tests.Support;

/// <summary>Task reports with every field set, for tests of what carries or stores them.</summary>
internal static class Reports
{
    public static readonly DateTimeOffset Now = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A stopped awsvpc task: a stopped container with an exit code and a running one with a binding.</summary>
    public static TaskStatusReport Stopped(string taskArn = "arn:task") => new()
    {
        TaskArn = taskArn,
        LastStatus = ReportedStatus.Stopped,
        StopCode = "EssentialContainerExited",
        StoppedReason = "Essential container in task exited",
        PullStartedAt = Now,
        StartedAt = Now.AddSeconds(1),
        ExecutionStoppedAt = Now.AddSeconds(2),
        HealthStatus = "UNKNOWN",
        NetworkInterfaces = [new NetworkInterfaceReport("att", "10.0.0.5", "02:42:0a:00:00:05")],
        Containers =
        [
            new ContainerStatusReport
            {
                Name = "web", RuntimeId = "abc", LastStatus = ReportedStatus.Stopped, ExitCode = 0, Reason = "done",
                ImageDigest = "sha256:1", HealthStatus = "UNKNOWN",
            },
            new ContainerStatusReport { Name = "side", LastStatus = ReportedStatus.Running, NetworkBindings = [new BindingRecord("0.0.0.0", 80, 32768, "tcp")] },
        ],
    };
}
