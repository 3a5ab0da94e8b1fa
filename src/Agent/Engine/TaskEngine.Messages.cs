using System.Diagnostics;
using Orchestrator.Agent.Telemetry;
using Orchestrator.Agent.Awsvpc;
using Orchestrator.Agent.Docker;
using Orchestrator.Agent.State;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Agent.Engine;

/// <summary>The engine loop's handling of each kind of message.</summary>
public sealed partial class TaskEngine
{
    private void Handle(EngineMessage message)
    {
        switch (message)
        {
            case RunTaskMessage m:
                Accept(m.Command);
                break;
            case StopTaskMessage m:
                Stop(m.TaskArn, m.Reason);
                break;
            case ActionCompleted m:
                Completed(m);
                break;
            case DockerEventReceived m:
                OnDockerEvent(m.Event);
                break;
            case ContainerInspected m:
                Inspected(m);
                break;
            case ResyncRequested:
                Resync();
                break;
            case SweepDue:
                Sweep();
                break;
            case CleanupCompleted m:
                CleanedUp(m);
                break;
            case WakeDue m:
                if (_tasks.TryGetValue(m.TaskArn, out var woken))
                {
                    Drive(woken);
                }

                break;
            default:
                throw new InvalidOperationException($"Unknown engine message {message.GetType().Name}.");
        }
    }

    private void Accept(RunTaskCommand command)
    {
        if (string.IsNullOrEmpty(command.TaskArn))
        {
            Log.RunTaskWithoutArn(_logger);
            return;
        }

        if (_tasks.ContainsKey(command.TaskArn))
        {
            Log.DuplicateRunTask(_logger, command.TaskArn);
            return;
        }

        var now = _time.GetUtcNow();
        var (definition, overrides, problem) = Parse(command.TaskDefinitionJson, command.OverridesJson);
        problem ??= definition is null
            ? "CannotCreateContainerError: the task definition is empty."
            : TaskDefinitionCheck.Unsupported(definition, _osType, command.Gpus) ?? _pause.Problem(definition, command, _osType);
        var network = problem is null && definition?.EffectiveNetworkMode == NetworkModes.Awsvpc && !DockerOs.IsWindows(_osType)
            ? command.Network
            : null;
        var record = new StoredTask
        {
            TaskArn = command.TaskArn,
            ClusterArn = command.ClusterArn,
            TaskDefinitionJson = command.TaskDefinitionJson,
            OverridesJson = command.OverridesJson,
            ReceivedAt = now,
            Network = network,
            Containers = [
                .. network is null ? [] : new[] { new ContainerRecord { Name = AwsvpcTask.PauseContainer } },
                .. (definition?.ContainerDefinitions ?? [])
                .DistinctBy(c => c.Name ?? "")
                .Select(c => new ContainerRecord
                {
                    Name = c.Name ?? "",
                    Essential = c.IsEssential,
                    Health = c.HealthCheck is null ? null : HealthStatuses.Unknown,
                    GpuIds = [.. command.GpuIdsOf(c.Name)],
                })],
        };
        if (problem is not null)
        {
            record = record with
            {
                DesiredStatus = LifecycleStatus.Stopped,
                KnownStatus = LifecycleStatus.Stopped,
                StopCode = TaskStopCode.TaskFailedToStart,
                StoppedReason = problem,
                ExecutionStoppedAt = now,
                Containers = [.. record.Containers.Select(c => c with { KnownStatus = LifecycleStatus.Stopped, Reason = problem })],
            };
            Log.TaskRejected(_logger, command.TaskArn, problem);
        }
        else
        {
            Log.TaskAccepted(_logger, command.TaskArn, definition!.Family, definition.Revision);
        }

        var task = NewManagedTask(record, problem is null ? definition : null, overrides);
        task.Secrets = command.Secrets;
        if (command.Traceparent.Length > 0 && ActivityContext.TryParse(command.Traceparent, null, isRemote: true, out var parent))
        {
            using var span = AgentMetrics.Source.StartActivity("agent.run_task", ActivityKind.Consumer, parent);
            span?.SetTag("orch.task_arn", command.TaskArn);
            task.Trace = span?.Context ?? default;
        }
        task.RegistryLogins = command.RegistryLogins;
        task.LogSecretOptions = command.LogSecretOptions;
        Commit(task, record, isNew: true);
        _tasks[command.TaskArn] = task;
        _images?.TaskKnown(command.TaskArn, definition?.ContainerDefinitions.Select(c => c.Image) ?? []);
        Drive(task);
    }

    private void Stop(string taskArn, string reason)
    {
        if (!_tasks.TryGetValue(taskArn, out var task))
        {
            Log.StopForUnknownTask(_logger, taskArn);
            return;
        }

        Log.StopRequested(_logger, taskArn, reason);
        Process(task, new StopRequested(TaskStopCode.UserInitiated, string.IsNullOrWhiteSpace(reason) ? TaskStateMachine.StoppedByUserReason : reason));
    }

    private void Completed(ActionCompleted message)
    {
        if (!_tasks.TryGetValue(message.TaskArn, out var task))
        {
            return;
        }

        task.InFlight.Remove(message.Container);
        if (message.Outcome is HostPortTaken taken && task.Record.Container(taken.Container) is { RuntimeId: { } stale } container &&
            container.HostPorts.Exists(p => p.HostPort == taken.HostPort))
        {
            // Someone else holds the port: avoid it for a while and make the container again elsewhere.
            _hostPorts.Quarantine(taken.HostPort);
            _docker.Run(() => _driver.RemoveContainerAsync(stale, _stopping.Token));
        }
        else if (message.Outcome is HostPortTaken refused)
        {
            message = message with { Outcome = new ContainerFailed(refused.Container, $"CannotStartContainerError: host port {refused.HostPort} is already allocated") };
        }

        if (message.Outcome is null)
        {
            task.RetryAfter[message.Container] = _time.GetUtcNow() + RetryDelay;
        }
        else
        {
            Process(task, message.Outcome, drive: false);
        }

        if (task.EventsDuringOperation.Remove(message.Container) && !task.InFlight.Contains(message.Container)
            && task.Record.Container(message.Container) is { RuntimeId: { } id, KnownStatus: not LifecycleStatus.Stopped })
        {
            _docker.Inspect(task.Record.TaskArn, message.Container, id);
        }

        Drive(task);
    }

    private void OnDockerEvent(ContainerEvent dockerEvent)
    {
        if (dockerEvent.Action is not ("die" or "stop" or "oom" or "destroy")
            && !dockerEvent.Action.StartsWith("health_status", StringComparison.Ordinal))
        {
            return;
        }

        foreach (var task in _tasks.Values)
        {
            var container = task.Record.Containers.Find(c => c.RuntimeId == dockerEvent.ContainerId);
            if (container is not null)
            {
                // A container with an operation under way is left to it: the operation reads back what happened
                // (a start that failed may even have removed the container). Its read-back may have come before this
                // event (a process that exits right after its start), so the container is looked at again after it.
                if (task.InFlight.Contains(container.Name))
                {
                    task.EventsDuringOperation.Add(container.Name);
                }
                else if (container.KnownStatus != LifecycleStatus.Stopped)
                {
                    _docker.Inspect(task.Record.TaskArn, container.Name, container.RuntimeId!);
                }

                return;
            }
        }
    }

    private void Inspected(ContainerInspected message)
    {
        if (_tasks.TryGetValue(message.TaskArn, out var task)
            && task.Record.Container(message.Container) is { } container
            && !task.InFlight.Contains(container.Name)
            && Translate(task, container, message.Inspection) is { } observed)
        {
            Process(task, observed);
        }
    }

    private void Resync()
    {
        foreach (var task in _tasks.Values)
        {
            foreach (var container in task.Record.Containers)
            {
                if (container.RuntimeId is { } id && container.KnownStatus is LifecycleStatus.Created or LifecycleStatus.Running)
                {
                    _docker.Inspect(task.Record.TaskArn, container.Name, id);
                }
            }
        }
    }

    private void Sweep()
    {
        var now = _time.GetUtcNow();
        foreach (var task in _tasks.Values.ToList())
        {
            foreach (var (name, after) in task.RetryAfter.ToList())
            {
                if (after <= now)
                {
                    task.RetryAfter.Remove(name);
                }
            }

            Drive(task);
            var record = task.Record;
            if (record.KnownStatus == LifecycleStatus.Stopped
                && record.ExecutionStoppedAt is { } stoppedAt
                && stoppedAt + _options.TaskCleanupWait <= now
                && !task.CleaningUp
                && task.InFlight.Count == 0
                && !_store.HasUnacknowledged(record.TaskArn))
            {
                task.CleaningUp = true;
                var volumes = task.Definition is { } definition ? TaskVolumes.TaskScopedNames(definition, record.TaskArn) : [];
                _docker.Run(() => _docker.CleanupAsync(record, volumes));
            }
        }
    }

    private void CleanedUp(CleanupCompleted message)
    {
        if (!_tasks.TryGetValue(message.TaskArn, out var task))
        {
            return;
        }

        if (!message.Succeeded)
        {
            task.CleaningUp = false;
            return;
        }

        // The images go free first: whoever sees the task gone from the store then also sees its images unused.
        _images?.TaskGone(message.TaskArn);
        _store.DeleteTask(message.TaskArn);
        _tasks.Remove(message.TaskArn);
        task.Dispose();
        Log.TaskCleanedUp(_logger, message.TaskArn);
    }
}
