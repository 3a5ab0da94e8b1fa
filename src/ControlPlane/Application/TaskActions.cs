using Orchestrator.ControlPlane.State;
using Orchestrator.ControlPlane.Tasks;
using Orchestrator.ControlPlane.Telemetry;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;
using static Orchestrator.ControlPlane.Application.RequestChecks;
using static Orchestrator.ControlPlane.Application.ResourceReferences;

namespace Orchestrator.ControlPlane.Application;

/// <summary>
/// ECS's task actions: RunTask and StartTask (in TaskActions.Launch.cs), StopTask, DescribeTasks and ListTasks.
/// Tasks reach agents through <see cref="ITaskDispatch"/>, never directly.
/// </summary>
public sealed partial class TaskActions(StateStore store, Arns arns, ITaskDispatch dispatcher, TaskLifecycle tasks, TaskLauncher launcher, TimeProvider clock, ControlPlaneMetrics? metrics = null, Security.RoleStore? roles = null)
{
    public async Task<TaskResponse> StopTaskAsync(StopTaskRequest request, CancellationToken cancellationToken)
    {
        if (request.Reason is { Length: > 255 })
        {
            throw EcsException.InvalidParameter("reason must be at most 255 characters.");
        }

        var (task, changed) = await store.WriteAsync(tx =>
        {
            var cluster = ActiveCluster(arns, tx.State, request.Cluster);
            var task = FindTask(tx.State, cluster, request.Task ?? throw EcsException.InvalidParameter("task is required."))
                ?? throw EcsException.InvalidParameter("The referenced task was not found.");
            if (task.Task.DesiredStatus == TaskStatus.Stopped)
            {
                return (task, false);
            }

            var updated = tasks.Stopping(task, TaskStopCode.UserInitiated, string.IsNullOrEmpty(request.Reason) ? "Task stopped by user" : request.Reason)!;
            // A service task in a load balancer's target group drains first (LoadBalancing/DrainMonitor stops it).
            updated = LoadBalancing.LoadBalancerTargets.Drain(tx.State, task, updated, clock.GetUtcNow());
            tx.Put(updated);
            return (updated, true);
        }, cancellationToken).ConfigureAwait(false);

        if (changed && task.DrainingUntil is null)
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

        var include = DescribeIncludes.Parse(request.Include, "TAGS");
        var state = store.Current;
        var cluster = ActiveCluster(arns, state, request.Cluster);
        var response = DescribeTasks(state, cluster, references);
        return Task.FromResult(request.Include is null || !include.Has("TAGS")
            ? response
            : response with { Tasks = response.Tasks.Select(t => t with { Tags = state.TagsOf(t.TaskArn) }).ToList() });
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
        var cluster = ActiveCluster(arns, state, request.Cluster);
        var desired = request.DesiredStatus ?? TaskStatus.Running;
        var instanceArn = request.ContainerInstance is { } instance ? InstanceArn(arns, cluster, instance) : null;
        var group = request.ServiceName is { } serviceName ? FindService(arns, state, cluster, serviceName).TaskGroup : null;
        var tasks = state.TasksIn(cluster.Name).Where(t =>
            t.Task.DesiredStatus == desired &&
            (instanceArn is null || t.Task.ContainerInstanceArn == instanceArn) &&
            (request.Family is null || Arns.TaskDefinitionFamily(t.Task.TaskDefinitionArn) == request.Family) &&
            (request.StartedBy is null || t.Task.StartedBy == request.StartedBy) &&
            (group is null || t.Task.Group == group) &&
            (request.LaunchType is null || t.Task.LaunchType == request.LaunchType));
        var (page, next) = Paging.Page(tasks, t => t.Arn, request.NextToken, request.MaxResults);
        return Task.FromResult(new ListTasksResponse(page.Select(t => t.Arn).ToList(), next));
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
}
