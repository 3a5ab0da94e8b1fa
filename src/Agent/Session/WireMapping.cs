using Google.Protobuf.WellKnownTypes;
using Orchestrator.Agent.Docker;
using Orchestrator.Agent.Engine;
using Orchestrator.Agent.State;
using Orchestrator.Contracts.Agent;

namespace Orchestrator.Agent.Session;

/// <summary>
/// The agent protocol's messages to and from the engine's own types: a RunTask becomes a <see cref="RunTaskCommand"/>,
/// a <see cref="TaskStatusReport"/> a TaskState. The engine and the store never see a protocol message. Pure.
/// </summary>
public static class WireMapping
{
    public static RunTaskCommand ToCommand(RunTask message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return new RunTaskCommand
        {
            TaskArn = message.TaskArn,
            ClusterArn = message.ClusterArn,
            TaskDefinitionJson = message.TaskDefinitionJson,
            OverridesJson = message.OverridesJson,
            Gpus = [.. message.Gpus.Select(g => new GpuAssignment(g.ContainerName, [.. g.GpuIds]))],
            Secrets = [.. message.Secrets.Select(s => new ContainerSecret(s.ContainerName, s.Name, s.Value))],
            Traceparent = message.Traceparent,
            LogSecretOptions = [.. message.LogSecretOptions.Select(s => new ContainerSecret(s.ContainerName, s.Name, s.Value))],
            RegistryLogins = [.. message.RegistryCredentials.Select(r => new ContainerRegistryLogin(r.ContainerName, new RegistryAuth(r.Username, r.Password)))],
            Network = message.Network is { Ipv4Address.Length: > 0 } network
                ? new TaskNetworkRecord(network.AttachmentId, network.SubnetId, network.Ipv4Address, network.PrefixLength, network.Gateway)
                : null,
        };
    }

    /// <summary>A task role's keys as the metadata endpoint serves them.</summary>
    public static Metadata.RoleKeys ToRoleKeys(TaskCredentials message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return new Metadata.RoleKeys(
            message.TaskArn, message.RoleArn, message.AccessKeyId, message.SecretAccessKey, message.SessionToken,
            message.Expiration?.ToDateTimeOffset() ?? DateTimeOffset.MinValue);
    }

    public static TaskStateChange ToWire(SequencedReport change)
    {
        ArgumentNullException.ThrowIfNull(change);
        return new TaskStateChange { Sequence = change.Sequence, Task = ToWire(change.Task) };
    }

    public static TaskState ToWire(TaskStatusReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var state = new TaskState
        {
            TaskArn = report.TaskArn,
            LastStatus = ToWire(report.LastStatus),
            Stopping = report.Stopping,
            StopCode = report.StopCode,
            StoppedReason = report.StoppedReason,
            PullStartedAt = ToWire(report.PullStartedAt),
            PullStoppedAt = ToWire(report.PullStoppedAt),
            StartedAt = ToWire(report.StartedAt),
            ExecutionStoppedAt = ToWire(report.ExecutionStoppedAt),
            HealthStatus = report.HealthStatus,
        };
        state.NetworkInterfaces.AddRange(report.NetworkInterfaces.Select(i => new NetworkInterface
        {
            AttachmentId = i.AttachmentId,
            Ipv4Address = i.Ipv4Address,
            MacAddress = i.MacAddress,
        }));
        foreach (var container in report.Containers)
        {
            var reported = new ContainerState
            {
                Name = container.Name,
                RuntimeId = container.RuntimeId,
                LastStatus = ToWire(container.LastStatus),
                Reason = container.Reason,
                ImageDigest = container.ImageDigest,
                HealthStatus = container.HealthStatus,
            };
            if (container.ExitCode is { } exitCode)
            {
                reported.ExitCode = exitCode;
            }

            reported.NetworkBindings.AddRange(container.NetworkBindings.Select(b => new NetworkBinding
            {
                BindIp = b.BindIp,
                ContainerPort = b.ContainerPort,
                HostPort = b.HostPort,
                Protocol = b.Protocol,
            }));
            state.Containers.Add(reported);
        }

        return state;
    }

    public static Status ToWire(ReportedStatus status) => status switch
    {
        ReportedStatus.Running => Status.Running,
        ReportedStatus.Stopped => Status.Stopped,
        _ => Status.Pending,
    };

    private static Timestamp? ToWire(DateTimeOffset? value) => value is { } time ? Timestamp.FromDateTimeOffset(time) : null;
}
