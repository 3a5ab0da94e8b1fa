using System.Globalization;
using System.Text.RegularExpressions;
using Orchestrator.ControlPlane.Scheduling;
using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Application;

public sealed partial class EcsApi
{
    public const int MaxRunTaskCount = 10;

    public async Task<TasksResponse> RunTaskAsync(RunTaskRequest request, CancellationToken cancellationToken)
    {
        var count = request.Count ?? 1;
        if (count is < 1 or > MaxRunTaskCount)
        {
            throw EcsException.InvalidParameter($"count must be between 1 and {MaxRunTaskCount}.");
        }

        CheckStartedBy(request.StartedBy);
        CheckEnum(request.LaunchType, "launchType", "EC2", "EXTERNAL");
        if (request.Group is { Length: > 255 })
        {
            throw EcsException.InvalidParameter("group must be at most 255 characters.");
        }

        var (tasks, failures) = await store.WriteAsync(tx =>
        {
            var cluster = ActiveCluster(tx.State, request.Cluster);
            var definition = FindTaskDefinition(tx.State, request.TaskDefinition) ?? throw EcsException.Client("TaskDefinition not found.");
            if (definition.Status != "ACTIVE")
            {
                throw EcsException.InvalidParameter("TaskDefinition is inactive");
            }

            CheckOverrides(definition, request.Overrides);
            var instances = tx.State.InstancesIn(cluster.Name).Where(i => i.Status != ContainerInstanceStatus.Inactive).ToList();
            if (instances.Count == 0)
            {
                throw EcsException.InvalidParameter("No Container Instances were found in your cluster.");
            }

            var needs = TaskRequirements.Of(definition);
            var views = instances.Select(i => InstanceView.Of(tx.State, i, sessions.IsConnected(i.Arn))).ToList();
            var plan = PlacementEngine.Place(views, needs, count);
            var placed = new List<TaskRecord>();
            foreach (var instanceArn in plan.InstanceArns)
            {
                var task = NewTask(cluster, definition, needs, instanceArn, request);
                tx.Put(task);
                placed.Add(task);
            }

            return (placed, plan.Failures.Select(f => new Failure(f.InstanceArn, f.Reason, f.Detail)).ToList());
        }, cancellationToken).ConfigureAwait(false);

        foreach (var task in tasks)
        {
            dispatcher.Run(task);
        }

        return new TasksResponse(tasks.Select(t => t.Task).ToList(), failures);
    }

    public async Task<TaskResponse> StopTaskAsync(StopTaskRequest request, CancellationToken cancellationToken)
    {
        if (request.Reason is { Length: > 255 })
        {
            throw EcsException.InvalidParameter("reason must be at most 255 characters.");
        }

        var (task, changed) = await store.WriteAsync(tx =>
        {
            var cluster = ActiveCluster(tx.State, request.Cluster);
            var task = FindTask(tx.State, cluster, request.Task ?? throw EcsException.InvalidParameter("task is required."))
                ?? throw EcsException.InvalidParameter("The referenced task was not found.");
            if (task.Task.DesiredStatus == TaskStatus.Stopped)
            {
                return (task, false);
            }

            var now = clock.GetUtcNow();
            var stopping = task.Task with
            {
                DesiredStatus = TaskStatus.Stopped,
                StoppingAt = now,
                StopCode = TaskStopCode.UserInitiated,
                StoppedReason = string.IsNullOrEmpty(request.Reason) ? "Task stopped by user" : request.Reason,
                Version = task.Task.Version + 1,
            };
            if (task.Task.ContainerInstanceArn is null)
            {
                stopping = stopping with { LastStatus = TaskStatus.Stopped, StoppedAt = now };
            }

            var updated = task with { Task = stopping };
            tx.Put(updated);
            return (updated, true);
        }, cancellationToken).ConfigureAwait(false);

        if (changed)
        {
            dispatcher.Stop(task);
        }

        return new TaskResponse(task.Task);
    }

    public Task<TasksResponse> DescribeTasksAsync(DescribeTasksRequest request, CancellationToken cancellationToken)
    {
        var references = request.Tasks ?? [];
        if (references.Count is 0 or > 100)
        {
            throw EcsException.InvalidParameter("tasks must name between 1 and 100 tasks.");
        }

        Include.Parse(request.Include, "TAGS");
        var state = store.Current;
        var cluster = ActiveCluster(state, request.Cluster);
        return Task.FromResult(DescribeTasks(state, cluster, references));
    }

    /// <summary>DescribeTasks against a given snapshot (also used to stream task changes).</summary>
    public TasksResponse DescribeTasks(StateSnapshot state, ClusterRecord cluster, IReadOnlyList<string> references)
    {
        var tasks = new List<EcsTask>();
        var failures = new List<Failure>();
        foreach (var reference in references)
        {
            if (FindTask(state, cluster, reference) is { } task)
            {
                tasks.Add(task.Task);
            }
            else
            {
                failures.Add(new Failure(TaskArn(cluster, reference), "MISSING"));
            }
        }

        return new TasksResponse(tasks, failures);
    }

    public Task<ListTasksResponse> ListTasksAsync(ListTasksRequest request, CancellationToken cancellationToken)
    {
        CheckMaxResults(request.MaxResults);
        CheckEnum(request.DesiredStatus, "desiredStatus", TaskStatus.Running, TaskStatus.Pending, TaskStatus.Stopped);
        CheckEnum(request.LaunchType, "launchType", "EC2", "EXTERNAL", "FARGATE");
        var state = store.Current;
        var cluster = ActiveCluster(state, request.Cluster);
        var desired = request.DesiredStatus ?? TaskStatus.Running;
        var instanceArn = request.ContainerInstance is { } instance ? InstanceArn(cluster, instance) : null;
        var tasks = state.TasksIn(cluster.Name).Where(t =>
            t.Task.DesiredStatus == desired &&
            (instanceArn is null || t.Task.ContainerInstanceArn == instanceArn) &&
            (request.Family is null || Arns.TaskDefinitionFamily(t.Task.TaskDefinitionArn) == request.Family) &&
            (request.StartedBy is null || t.Task.StartedBy == request.StartedBy) &&
            (request.LaunchType is null || t.Task.LaunchType == request.LaunchType));
        var (page, next) = Paging.Page(tasks, t => t.Arn, request.NextToken, request.MaxResults);
        return Task.FromResult(new ListTasksResponse(page.Select(t => t.Arn).ToList(), next));
    }

    private TaskRecord NewTask(ClusterRecord cluster, TaskDefinition definition, TaskRequirements needs, string instanceArn, RunTaskRequest request)
    {
        var id = Arns.NewId();
        var taskArn = arns.Task(cluster.Name, id);
        var containers = definition.ContainerDefinitions.Select(c => new Container
        {
            ContainerArn = arns.Container(cluster.Name, id, Guid.NewGuid().ToString()),
            TaskArn = taskArn,
            Name = c.Name!,
            Image = c.Image,
            LastStatus = TaskStatus.Pending,
            HealthStatus = "UNKNOWN",
            Cpu = c.Cpu.ToString(CultureInfo.InvariantCulture),
            Memory = c.Memory?.ToString(CultureInfo.InvariantCulture),
            MemoryReservation = c.MemoryReservation?.ToString(CultureInfo.InvariantCulture),
        }).ToList();
        var overrides = definition.ContainerDefinitions
            .Select(c => request.Overrides?.ContainerOverrides?.FirstOrDefault(o => o.Name == c.Name) ?? new ContainerOverride { Name = c.Name })
            .ToList();
        return new TaskRecord
        {
            ClusterName = cluster.Name,
            Reserved = needs,
            Task = new EcsTask
            {
                TaskArn = taskArn,
                ClusterArn = cluster.Arn,
                TaskDefinitionArn = definition.TaskDefinitionArn!,
                ContainerInstanceArn = instanceArn,
                Containers = containers,
                Overrides = new TaskOverride { ContainerOverrides = overrides },
                LastStatus = TaskStatus.Pending,
                DesiredStatus = TaskStatus.Running,
                Cpu = needs.Cpu.ToString(CultureInfo.InvariantCulture),
                Memory = needs.MemoryMiB.ToString(CultureInfo.InvariantCulture),
                StartedBy = request.StartedBy,
                Group = request.Group ?? $"family:{definition.Family}",
                LaunchType = request.LaunchType ?? "EC2",
                HealthStatus = "UNKNOWN",
                Version = 1,
                CreatedAt = clock.GetUtcNow(),
                Tags = request.Tags,
            },
        };
    }

    private static void CheckOverrides(TaskDefinition definition, TaskOverride? overrides)
    {
        foreach (var container in overrides?.ContainerOverrides ?? [])
        {
            if (string.IsNullOrEmpty(container.Name))
            {
                throw EcsException.InvalidParameter("Container overrides must name the container they override.");
            }

            if (definition.ContainerDefinitions.All(c => c.Name != container.Name))
            {
                throw EcsException.InvalidParameter($"Override for container named {container.Name} is not a container in the TaskDefinition.");
            }
        }
    }

    private static void CheckStartedBy(string? startedBy)
    {
        if (startedBy is not null && !StartedByPattern().IsMatch(startedBy))
        {
            throw EcsException.InvalidParameter("startedBy must be up to 36 letters (uppercase and lowercase), numbers, hyphens and underscores.");
        }
    }

    private TaskRecord? FindTask(StateSnapshot state, ClusterRecord cluster, string reference)
    {
        if (!Arns.TryParse(reference, out _) && reference.Length is not (32 or 36))
        {
            throw EcsException.InvalidParameter("taskId length should be one of [32,36]");
        }

        return state.Task(TaskArn(cluster, reference)) is { } task && task.ClusterName == cluster.Name ? task : null;
    }

    private string TaskArn(ClusterRecord cluster, string reference) =>
        Arns.TryParse(reference, out _) ? reference : arns.Task(cluster.Name, reference);

    [GeneratedRegex("^[A-Za-z0-9_-]{1,36}$")]
    private static partial Regex StartedByPattern();
}
