using System.Globalization;
using Orchestrator.ControlPlane.State;
using Orchestrator.ControlPlane.Tasks;
using Orchestrator.Contracts.Agent;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;
using Attribute = Orchestrator.Ecs.Model.Attribute;
using VersionInfo = Orchestrator.Ecs.Model.VersionInfo;

namespace Orchestrator.ControlPlane.Agents;

/// <summary>
/// What agents tell the control plane: registrations, the snapshot that opens each session and the sequenced state
/// changes after it. Everything is applied through the state store's single writer and is idempotent.
/// </summary>
public sealed partial class AgentReports(StateStore store, Arns arns, TimeProvider clock, ILogger<AgentReports> logger)
{
    private const string DefaultCluster = Clusters.DefaultName;

    /// <summary>
    /// Registers a host, or re-registers it as the same container instance when it presents the ARN it was given
    /// before. The cluster "default" is created on first use, as ECS does for its agent.
    /// </summary>
    public Task<InstanceRecord> RegisterAsync(RegisterRequest request, CancellationToken cancellationToken)
    {
        var resources = request.Resources ?? throw EcsException.InvalidParameter("resources are required.");
        if (resources.Cpu <= 0 || resources.MemoryMib <= 0)
        {
            throw EcsException.InvalidParameter("A container instance must register positive CPU and MEMORY.");
        }

        if (resources.DynamicPortFirst != 0 && resources.DynamicPortFirst is < 1 or > 65535
            || resources.DynamicPortFirst > 0 && resources.DynamicPortLast is var last && (last < resources.DynamicPortFirst || last > 65535))
        {
            throw EcsException.InvalidParameter(string.Create(CultureInfo.InvariantCulture,
                $"The dynamic port range {resources.DynamicPortFirst}-{resources.DynamicPortLast} is not a range of ports within 1-65535."));
        }

        if (resources.AwsvpcTaskLimit < 0)
        {
            throw EcsException.InvalidParameter("The awsvpc task limit must not be negative.");
        }

        var clusterName = Arns.ShortName(string.IsNullOrEmpty(request.Cluster) ? DefaultCluster : request.Cluster, "cluster");
        return store.WriteAsync(tx =>
        {
            var cluster = tx.State.Cluster(clusterName);
            if (cluster is not { Status: ClusterStatus.Active })
            {
                if (clusterName != DefaultCluster)
                {
                    throw EcsException.ClusterNotFound();
                }

                cluster = new ClusterRecord { Name = clusterName, Arn = arns.Cluster(clusterName), CreatedAt = clock.GetUtcNow() };
                tx.Put(cluster);
            }

            var registered = new HostCapacity(
                resources.Cpu,
                resources.MemoryMib,
                resources.ReservedTcpPorts.Distinct().Order().ToList(),
                resources.ReservedUdpPorts.Distinct().Order().ToList())
            {
                DynamicPortFirst = resources.DynamicPortFirst,
                DynamicPortLast = resources.DynamicPortFirst > 0 ? resources.DynamicPortLast : 0,
                GpuIds = resources.GpuIds.Where(id => id.Length > 0).Distinct(StringComparer.Ordinal).ToList(),
                AwsvpcTaskLimit = resources.AwsvpcTaskLimit,
            };
            var attributes = request.Attributes
                .Select(a => new Attribute { Name = a.Name, Value = a.HasValue ? a.Value : null })
                .ToList();
            var version = request.VersionInfo is { } v ? new VersionInfo(v.AgentVersion, v.AgentHash, v.DockerVersion) : null;

            var previous = string.IsNullOrEmpty(request.ContainerInstanceArn) ? null : tx.State.Instance(request.ContainerInstanceArn);
            var instance = previous is not null && previous.ClusterName == clusterName && previous.Status != ContainerInstanceStatus.Inactive
                ? previous with
                {
                    Registered = registered,
                    Attributes = attributes,
                    VersionInfo = version,
                    Ec2InstanceId = request.InstanceId,
                    Hostname = request.Hostname,
                    Version = previous.Version + 1,
                }
                : new InstanceRecord
                {
                    Arn = arns.ContainerInstance(clusterName, Arns.NewId()),
                    ClusterName = clusterName,
                    Registered = registered,
                    Attributes = attributes,
                    VersionInfo = version,
                    Ec2InstanceId = request.InstanceId,
                    Hostname = request.Hostname,
                    RegisteredAt = clock.GetUtcNow(),
                    Version = 1,
                };
            tx.Put(instance);
            if (previous is null)
            {
                Log.Registered(logger, instance.Arn, request.Hostname);
            }

            return instance;
        }, cancellationToken);
    }

    /// <summary>
    /// Applies the snapshot that opens a session and works out what the agent is missing: tasks it should run but
    /// does not know, tasks it runs that should stop or that the control plane does not know.
    /// </summary>
    public Task<IReadOnlyList<ControlMessage>> OpenSessionAsync(SessionHello hello, CancellationToken cancellationToken) =>
        store.WriteAsync<IReadOnlyList<ControlMessage>>(tx =>
        {
            var instance = FindInstance(tx.State, hello.ContainerInstanceArn);
            var now = clock.GetUtcNow();
            var commands = new List<ControlMessage>();
            var reported = new HashSet<string>(StringComparer.Ordinal);
            foreach (var report in hello.Tasks)
            {
                reported.Add(report.TaskArn);
                var task = tx.State.Task(report.TaskArn);
                if (task is null || task.Task.ContainerInstanceArn != instance.Arn)
                {
                    if (report.LastStatus != Status.Stopped)
                    {
                        commands.Add(ControlMessages.Stop(report.TaskArn, "The control plane has no record of this task on this container instance."));
                    }

                    continue;
                }

                var applied = ConfirmStopped(TaskReportApplier.Apply(task, report, now), report.LastStatus);
                if (!ReferenceEquals(applied, task))
                {
                    tx.Put(applied);
                }

                if (report.LastStatus != Status.Stopped && applied.Task.DesiredStatus == TaskStatus.Stopped)
                {
                    commands.Add(ControlMessages.Stop(applied.Arn, applied.Task.StoppedReason));
                }
            }

            // Tasks stopped while the instance was lost that the agent no longer has: their addresses are free.
            foreach (var task in tx.State.Tasks.Values.Where(t => t.AwaitingAgentStop && t.Task.ContainerInstanceArn == instance.Arn && !reported.Contains(t.Arn)).ToList())
            {
                tx.Put(task with { AwaitingAgentStop = false });
            }

            foreach (var task in tx.State.TasksOn(instance.Arn).Where(t => !reported.Contains(t.Arn)).ToList())
            {
                if (task.Task.DesiredStatus == TaskStatus.Running && tx.State.TaskDefinitionByArn(task.Task.TaskDefinitionArn) is { } definition)
                {
                    commands.Add(ControlMessages.Run(task, definition));
                }
                else
                {
                    // Stopped before the agent ever received it.
                    tx.Put(task with { Task = TaskAttachments.Deleted(task.Task) with { LastStatus = TaskStatus.Stopped, StoppedAt = now, Version = task.Task.Version + 1 } });
                }
            }

            if (hello.ThroughSequence > instance.LastSequence)
            {
                tx.Put(tx.State.Instance(instance.Arn)! with { LastSequence = hello.ThroughSequence });
            }

            commands.Insert(0, ControlMessages.Ack(hello.ThroughSequence));
            return commands;
        }, cancellationToken);

    /// <summary>
    /// Stores one sequenced state change unless its sequence number was applied before. Either way the change is
    /// stored when this returns, so the caller may acknowledge it.
    /// </summary>
    public Task ApplyAsync(string instanceArn, TaskStateChange change, CancellationToken cancellationToken) =>
        store.WriteAsync(tx =>
        {
            var instance = FindInstance(tx.State, instanceArn);
            if (change.Sequence <= instance.LastSequence)
            {
                return false;
            }

            var task = tx.State.Task(change.Task.TaskArn);
            if (task is not null && task.Task.ContainerInstanceArn == instanceArn)
            {
                var applied = ConfirmStopped(TaskReportApplier.Apply(task, change.Task, clock.GetUtcNow()), change.Task.LastStatus);
                if (!ReferenceEquals(applied, task))
                {
                    tx.Put(applied);
                    if (applied.Task.LastStatus != task.Task.LastStatus)
                    {
                        Log.TaskStatus(logger, applied.Arn, applied.Task.LastStatus, applied.Task.StoppedReason);
                    }
                }
            }
            else
            {
                Log.UnknownTask(logger, change.Task.TaskArn, instanceArn);
            }

            tx.Put(tx.State.Instance(instanceArn)! with { LastSequence = change.Sequence });
            return true;
        }, cancellationToken);

    /// <summary>The agent says a task the control plane had stopped without it has stopped: its address is free.</summary>
    private static TaskRecord ConfirmStopped(TaskRecord task, Status reported) =>
        task.AwaitingAgentStop && reported == Status.Stopped ? task with { AwaitingAgentStop = false } : task;

    private static InstanceRecord FindInstance(StateSnapshot state, string arn) =>
        state.Instance(arn) is { Status: not ContainerInstanceStatus.Inactive } instance
            ? instance
            : throw new EcsException(EcsErrors.ResourceNotFound, string.Create(CultureInfo.InvariantCulture, $"Container instance {arn} is not registered."));

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Registered container instance {ContainerInstanceArn} (host {Hostname})")]
        public static partial void Registered(ILogger logger, string containerInstanceArn, string hostname);

        [LoggerMessage(2, LogLevel.Information, "Task {TaskArn} is {LastStatus} {StoppedReason}")]
        public static partial void TaskStatus(ILogger logger, string taskArn, string lastStatus, string? stoppedReason);

        [LoggerMessage(3, LogLevel.Warning, "Agent of {ContainerInstanceArn} reported task {TaskArn}, which is not placed on it; ignored")]
        public static partial void UnknownTask(ILogger logger, string taskArn, string containerInstanceArn);
    }
}
