using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;
using static Orchestrator.ControlPlane.Application.ResourceReferences;

namespace Orchestrator.ControlPlane.Application;

/// <summary>
/// ECS's task scale-in protection (UpdateTaskProtection, GetTaskProtection). The service scheduler here does not
/// spare protected tasks when it scales in, so no task is protected: GetTaskProtection says so of each task, and
/// UpdateTaskProtection takes <c>protectionEnabled: false</c> (what a task that finished its work sends) and refuses
/// <c>true</c> by name rather than promise a protection that would not hold.
/// </summary>
public sealed partial class TaskActions
{
    public Task<TaskProtectionResponse> UpdateTaskProtectionAsync(UpdateTaskProtectionRequest request, CancellationToken cancellationToken)
    {
        if (request.ProtectionEnabled is null)
        {
            throw EcsException.InvalidParameter("protectionEnabled is required.");
        }

        if (request.ProtectionEnabled == true)
        {
            throw EcsException.Client(
                "Parameter protectionEnabled is not supported by this control plane yet: the value true is refused; it takes only false (the service scheduler does not spare protected tasks).");
        }

        if (request.ExpiresInMinutes is not null)
        {
            throw EcsException.Client(
                $"Parameter expiresInMinutes is not supported by this control plane yet: the value {request.ExpiresInMinutes} is refused; leave it out.");
        }

        return GetTaskProtectionAsync(new GetTaskProtectionRequest { Cluster = request.Cluster, Tasks = request.Tasks ?? [] }, cancellationToken);
    }

    public Task<TaskProtectionResponse> GetTaskProtectionAsync(GetTaskProtectionRequest request, CancellationToken cancellationToken)
    {
        var references = request.Tasks ?? [];
        if (references.Count is 0 or > 10)
        {
            throw EcsException.InvalidParameter("tasks must name between 1 and 10 tasks.");
        }

        var state = store.Current;
        var cluster = ActiveCluster(arns, state, request.Cluster);
        var described = DescribeTasks(state, cluster, references);
        return Task.FromResult(new TaskProtectionResponse(
            described.Tasks.Select(t => new ProtectedTask(t.TaskArn, false)).ToList(), described.Failures));
    }
}
