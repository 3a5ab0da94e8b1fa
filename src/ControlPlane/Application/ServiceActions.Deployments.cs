using System.Globalization;
using Orchestrator.ControlPlane.Services;
using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;
using static Orchestrator.ControlPlane.Application.RequestChecks;
using static Orchestrator.ControlPlane.Application.ResourceReferences;

namespace Orchestrator.ControlPlane.Application;

/// <summary>
/// ECS's service deployments and revisions, read from the deployments a service keeps (its PRIMARY one and those it
/// is replacing; a deployment the rollout has retired is no longer listed). Each deployment deploys one revision: the
/// task definition and launch type it was made with.
/// </summary>
public sealed partial class ServiceActions
{
    private static readonly string[] DeploymentStatuses =
        ["PENDING", "SUCCESSFUL", "STOPPED", "STOP_REQUESTED", "IN_PROGRESS", "ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS", "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED"];

    public Task<ListServiceDeploymentsResponse> ListServiceDeploymentsAsync(ListServiceDeploymentsRequest request, CancellationToken cancellationToken)
    {
        CheckMaxResults(request.MaxResults);
        foreach (var status in request.Status ?? [])
        {
            CheckEnum(status, "status", DeploymentStatuses);
        }

        var state = store.Current;
        var cluster = ActiveCluster(arns, state, request.Cluster);
        var service = FindService(arns, state, cluster, request.Service);
        var deployments = Deployments(state, service)
            .Where(d => request.Status is not { Count: > 0 } || request.Status.Contains(d.Status))
            .Where(d => request.CreatedAt?.After is not { } after || d.CreatedAt >= after)
            .Where(d => request.CreatedAt?.Before is not { } before || d.CreatedAt <= before)
            .OrderByDescending(d => d.CreatedAt);
        var (page, next) = Paging.Page(deployments, d => Descending(d.CreatedAt), request.NextToken, request.MaxResults, defaultMax: 20);
        return Task.FromResult(new ListServiceDeploymentsResponse(page.Select(d => new ServiceDeploymentBrief
        {
            ServiceDeploymentArn = d.ServiceDeploymentArn,
            ServiceArn = d.ServiceArn,
            ClusterArn = d.ClusterArn,
            StartedAt = d.StartedAt,
            CreatedAt = d.CreatedAt,
            FinishedAt = d.FinishedAt,
            TargetServiceRevisionArn = d.TargetServiceRevision!.Arn,
            Status = d.Status,
            StatusReason = d.StatusReason,
        }).ToList(), next));
    }

    public Task<DescribeServiceDeploymentsResponse> DescribeServiceDeploymentsAsync(DescribeServiceDeploymentsRequest request, CancellationToken cancellationToken)
    {
        var references = CheckArns(request.ServiceDeploymentArns, "serviceDeploymentArns");
        var state = store.Current;
        var found = new List<ServiceDeployment>();
        var failures = new List<Failure>();
        foreach (var reference in references)
        {
            var deployment = ServiceOf(state, reference, "service-deployment") is { } service
                ? Deployments(state, service).FirstOrDefault(d => d.ServiceDeploymentArn == reference)
                : null;
            if (deployment is null)
            {
                failures.Add(new Failure(reference, "MISSING", "The service deployment does not exist (or was retired)."));
            }
            else
            {
                found.Add(deployment);
            }
        }

        return Task.FromResult(new DescribeServiceDeploymentsResponse(found, failures));
    }

    public Task<DescribeServiceRevisionsResponse> DescribeServiceRevisionsAsync(DescribeServiceRevisionsRequest request, CancellationToken cancellationToken)
    {
        var references = CheckArns(request.ServiceRevisionArns, "serviceRevisionArns");
        var state = store.Current;
        var found = new List<ServiceRevision>();
        var failures = new List<Failure>();
        foreach (var reference in references)
        {
            var service = ServiceOf(state, reference, "service-revision");
            var deployment = service?.Deployments.FirstOrDefault(d => RevisionArn(service, d) == reference);
            if (service is null || deployment is null)
            {
                failures.Add(new Failure(reference, "MISSING", "The service revision does not exist (or was retired)."));
                continue;
            }

            var definition = state.TaskDefinitionByArn(deployment.TaskDefinition);
            found.Add(new ServiceRevision
            {
                ServiceRevisionArn = reference,
                ServiceArn = service.Arn,
                ClusterArn = arns.Cluster(service.ClusterName),
                TaskDefinition = deployment.TaskDefinition,
                LaunchType = deployment.LaunchType ?? service.LaunchType,
                ContainerImages = definition?.ContainerDefinitions.Select(c => new ContainerImage(c.Name ?? "", c.Image ?? "")).ToList() ?? [],
                CreatedAt = deployment.CreatedAt,
            });
        }

        return Task.FromResult(new DescribeServiceRevisionsResponse(found, failures));
    }

    /// <summary>
    /// ECS's StopServiceDeployment with stopType ROLLBACK (the default): an in-progress deployment is replaced by one
    /// back to the task definition of the last deployment that completed. ABORT (stop where it stands) is refused:
    /// the rolling scheduler here always finishes or rolls back.
    /// </summary>
    public Task<StopServiceDeploymentResponse> StopServiceDeploymentAsync(StopServiceDeploymentRequest request, CancellationToken cancellationToken)
    {
        CheckEnum(request.StopType, "stopType", "ABORT", "ROLLBACK");
        if (request.StopType == "ABORT")
        {
            throw EcsException.Client(
                "Parameter stopType is not supported by this control plane yet: the value \"ABORT\" is refused; it takes only \"ROLLBACK\" (a deployment here finishes or rolls back).");
        }

        var reference = request.ServiceDeploymentArn ?? throw EcsException.InvalidParameter("serviceDeploymentArn is required.");
        return store.WriteAsync(tx =>
        {
            var service = ServiceOf(tx.State, reference, "service-deployment")
                ?? throw new EcsException(EcsErrors.ServiceNotFound, "Service not found.");
            var deployment = service.Deployments.FirstOrDefault(d => DeploymentArn(service, d) == reference)
                ?? throw EcsException.InvalidParameter("The service deployment does not exist (or was retired).");
            if (deployment.Status != DeploymentStatus.Primary || deployment.RolloutState != RolloutStates.InProgress)
            {
                throw EcsException.InvalidParameter("Only an in-progress deployment can be stopped.");
            }

            var target = service.LastCompletedTaskDefinitionArn
                ?? throw EcsException.InvalidParameter("The service has no completed deployment to roll back to.");
            var now = clock.GetUtcNow();
            var rollback = ServicePlanner.NewDeployment(ServiceScheduler.NewDeploymentId(), target, service.DesiredCount, now, service.LaunchType, service.CapacityProviderStrategy);
            var stopped = deployment with { Status = DeploymentStatus.Active, RolloutState = RolloutStates.Failed, RolloutStateReason = "Stopped by StopServiceDeployment (ROLLBACK).", UpdatedAt = now };
            tx.Put(service with
            {
                TaskDefinitionArn = target,
                Deployments = [rollback, .. service.Deployments.Select(d => d.Id == deployment.Id ? stopped : d.Status == DeploymentStatus.Primary ? d with { Status = DeploymentStatus.Active } : d)],
                ConsecutiveFailures = 0,
                NextLaunchAt = null,
                SteadyStateReported = false,
                Version = service.Version + 1,
            });
            return new StopServiceDeploymentResponse(reference);
        }, cancellationToken);
    }

    private List<ServiceDeployment> Deployments(StateSnapshot state, ServiceRecord service)
    {
        var view = ServiceView.From(arns, state, service, DescribeIncludes.None);
        var clusterArn = arns.Cluster(service.ClusterName);
        return view.Deployments.Select(d =>
        {
            var (status, finished) = (d.Status, d.RolloutState) switch
            {
                (_, RolloutStates.Completed) => (ServiceDeploymentStatuses.Successful, true),
                (DeploymentStatus.Primary, RolloutStates.Failed) => (ServiceDeploymentStatuses.Stopped, true),
                (DeploymentStatus.Primary, _) => (ServiceDeploymentStatuses.InProgress, false),
                _ => (ServiceDeploymentStatuses.Stopped, true),
            };
            return new ServiceDeployment
            {
                ServiceDeploymentArn = DeploymentArn(service, d),
                ServiceArn = service.Arn,
                ClusterArn = clusterArn,
                CreatedAt = d.CreatedAt,
                StartedAt = d.CreatedAt,
                FinishedAt = finished ? d.UpdatedAt : null,
                StoppedAt = status == ServiceDeploymentStatuses.Stopped ? d.UpdatedAt : null,
                UpdatedAt = d.UpdatedAt,
                TargetServiceRevision = new ServiceRevisionSummary(RevisionArn(service, d), d.DesiredCount, d.RunningCount, d.PendingCount),
                SourceServiceRevisions = d.Status == DeploymentStatus.Primary
                    ? view.Deployments.Where(o => o.Id != d.Id).Select(o => new ServiceRevisionSummary(RevisionArn(service, o), o.DesiredCount, o.RunningCount, o.PendingCount)).ToList()
                    : [],
                Status = status,
                StatusReason = d.RolloutStateReason ?? (status == ServiceDeploymentStatuses.Stopped ? "Replaced by a newer deployment." : null),
                DeploymentConfiguration = view.DeploymentConfiguration,
                DeploymentCircuitBreaker = new ServiceDeploymentCircuitBreaker(
                    !service.CircuitBreakerEnabled ? "DISABLED" : d.RolloutState == RolloutStates.Failed ? "TRIGGERED" : finished ? "MONITORING_COMPLETE" : "MONITORING",
                    d.FailedTasks, CircuitBreakerThreshold(service.DesiredCount)),
            };
        }).ToList();
    }

    /// <summary>ECS's circuit-breaker threshold: half the desired count, at least 3 and at most 200.</summary>
    private static int CircuitBreakerThreshold(int desiredCount) => Math.Clamp((int)Math.Ceiling(desiredCount / 2.0), 3, 200);

    private string DeploymentArn(ServiceRecord service, Deployment deployment) => ServiceView.DeploymentArn(arns, service, deployment);

    private string RevisionArn(ServiceRecord service, Deployment deployment) => ServiceView.RevisionArn(arns, service, deployment);

    /// <summary>The service an ARN of the given type (…:service-deployment/CLUSTER/SERVICE/ID) belongs to, if it exists.</summary>
    private ServiceRecord? ServiceOf(StateSnapshot state, string reference, string resourceType) =>
        Arns.TryParse(reference, out var arn) && arn.ResourceType == resourceType && arn.Path.Count == 3 && !arns.IsForeign(reference)
            ? state.Service(arns.Service(arn.Path[0], arn.Path[1]))
            : null;

    private static IReadOnlyList<string> CheckArns(IReadOnlyList<string>? references, string parameter) =>
        references is { Count: > 0 and <= 20 } ? references : throw EcsException.InvalidParameter($"{parameter} must name between 1 and 20 ARNs.");

    private static string Descending(DateTimeOffset? time) =>
        (long.MaxValue - (time ?? DateTimeOffset.MinValue).UtcTicks).ToString("D19", CultureInfo.InvariantCulture);
}
