using System.Text.RegularExpressions;
using Orchestrator.ControlPlane.Scheduling;
using Orchestrator.ControlPlane.Services;
using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;
using static Orchestrator.ControlPlane.Application.RequestChecks;
using static Orchestrator.ControlPlane.Application.ResourceReferences;

namespace Orchestrator.ControlPlane.Application;

/// <summary>
/// ECS's service actions: CreateService, UpdateService, DeleteService, DescribeServices and ListServices. They
/// record what is wanted; the service scheduler brings the tasks to it.
/// </summary>
public sealed partial class ServiceActions(StateStore store, Arns arns, TimeProvider clock)
{
    /// <summary>ECS's quota of tasks per service, the most desiredCount may ask for.</summary>
    public const int MaxDesiredCount = 5000;

    private static void CheckDesiredCount(int? desiredCount)
    {
        if (desiredCount is < 0 or > MaxDesiredCount)
        {
            throw EcsException.InvalidParameter($"desiredCount must be between 0 and {MaxDesiredCount} (the most tasks a service can have).");
        }
    }

    public Task<ServiceResponse> CreateServiceAsync(CreateServiceRequest request, CancellationToken cancellationToken)
    {
        var name = request.ServiceName ?? "";
        if (!ServiceNamePattern().IsMatch(name))
        {
            throw EcsException.InvalidParameter("Service name must be 1 to 255 characters: letters (uppercase and lowercase), numbers, hyphens and underscores.");
        }

        var daemon = request.SchedulingStrategy == SchedulingStrategies.Daemon;
        CheckEnum(request.SchedulingStrategy, "schedulingStrategy", SchedulingStrategies.Replica, SchedulingStrategies.Daemon);
        CheckEnum(request.LaunchType, "launchType", "EC2", "EXTERNAL");
        CheckEnum(request.DeploymentController?.Type, "deploymentController.type", "ECS");
        CheckEnum(request.PropagateTags, "propagateTags", "TASK_DEFINITION", "SERVICE", "NONE");
        CheckClientToken(request.ClientToken);

        if (daemon && request.DesiredCount is not null)
        {
            throw EcsException.InvalidParameter("The daemon scheduling strategy does not support a desired count for services.");
        }

        if (!daemon && request.DesiredCount is null)
        {
            throw EcsException.InvalidParameter("desiredCount is required for services with the REPLICA scheduling strategy.");
        }

        CheckDesiredCount(request.DesiredCount);

        var (minimum, maximum, breaker) = DeploymentSettings(request.DeploymentConfiguration, daemon, null);
        var grace = CheckGracePeriod(request.HealthCheckGracePeriodSeconds);
        var tags = Tagging.Validate(request.Tags);
        CheckServicePlacement(request.PlacementConstraints, request.PlacementStrategy, daemon);
        return store.WriteAsync(tx =>
        {
            var cluster = ActiveCluster(arns, tx.State, request.Cluster);
            var definition = FindTaskDefinition(arns, tx.State, request.TaskDefinition ?? throw EcsException.InvalidParameter("taskDefinition is required."))
                ?? throw EcsException.Client("TaskDefinition not found.");
            if (definition.Status != "ACTIVE")
            {
                throw EcsException.Client("TaskDefinition is inactive");
            }

            var arn = arns.Service(cluster.Name, name);
            if (request.ClientToken is { } token)
            {
                // ECS's idempotency: a CreateService repeating a token gets the service that token created, as it is
                // now; the same token naming another service is a mistake, not a retry.
                var earlier = tx.State.ServicesIn(cluster.Name).FirstOrDefault(s => s.ClientToken == token && s.Status == ServiceStatus.Active);
                if (earlier is not null)
                {
                    return earlier.Name == name
                        ? new ServiceResponse(ServiceView.From(arns, tx.State, earlier, DescribeIncludes.None))
                        : throw EcsException.InvalidParameter("Creation of service was not idempotent: the clientToken was used to create another service.");
                }
            }

            if (tx.State.Service(arn) is { } existing)
            {
                if (existing.Status == ServiceStatus.Draining)
                {
                    throw EcsException.InvalidParameter("Unable to Start a service that is still Draining.");
                }

                if (existing.Status == ServiceStatus.Active)
                {
                    return existing.TaskDefinitionArn == definition.TaskDefinitionArn && existing.DesiredCount == (request.DesiredCount ?? 0) &&
                           existing.IsDaemon == daemon
                        ? new ServiceResponse(ServiceView.From(arns, tx.State, existing, DescribeIncludes.None))
                        : throw EcsException.InvalidParameter("Creation of service was not idempotent.");
                }
            }

            var now = clock.GetUtcNow();
            var deploymentId = ServiceScheduler.NewDeploymentId();
            var strategy = daemon
                ? request.CapacityProviderStrategy is { Count: > 0 }
                    ? throw EcsException.InvalidParameter("The daemon scheduling strategy does not support capacity provider strategies; use a launch type.")
                    : []
                : CapacityProviderStrategies.ForLaunch(cluster, request.LaunchType, request.CapacityProviderStrategy);
            var launchType = strategy.Count > 0 ? null : request.LaunchType ?? "EC2";
            var service = new ServiceRecord
            {
                Name = name,
                Arn = arn,
                ClusterName = cluster.Name,
                SchedulingStrategy = daemon ? SchedulingStrategies.Daemon : SchedulingStrategies.Replica,
                DesiredCount = request.DesiredCount ?? 0,
                TaskDefinitionArn = definition.TaskDefinitionArn!,
                LaunchType = launchType,
                CapacityProviderStrategy = strategy,
                MinimumHealthyPercent = minimum,
                MaximumPercent = maximum,
                CircuitBreakerEnabled = breaker.Enable,
                CircuitBreakerRollback = breaker.Rollback,
                HealthCheckGracePeriodSeconds = grace ?? 0,
                EnableExecuteCommand = request.EnableExecuteCommand ?? false,
                ServiceRegistries = CheckRegistries(request.ServiceRegistries ?? [], definition, tx.State, cluster.Name, name),
                LoadBalancers = CheckLoadBalancers(request.LoadBalancers ?? [], definition, tx.State),
                PlacementConstraints = request.PlacementConstraints ?? [],
                PlacementStrategy = request.PlacementStrategy ?? [],
                Deployments = [ServicePlanner.NewDeployment(deploymentId, definition.TaskDefinitionArn!, request.DesiredCount ?? 0, now, launchType, strategy)],
                CreatedAt = now,
                CreatedBy = $"arn:aws:iam::{arns.Account}:root",
                ClientToken = request.ClientToken,
                Version = 1,
            };
            tx.Put(service);
            tx.PutTags(arn, tags);
            return new ServiceResponse(ServiceView.From(arns, tx.State, service, DescribeIncludes.None));
        }, cancellationToken);
    }

    /// <summary>
    /// UpdateService's capacityProviderStrategy: omitted keeps the service's; given, it replaces it (new tasks use it,
    /// as in ECS). A service started with a launch type moves to a strategy only with forceNewDeployment, as in ECS.
    /// </summary>
    private static IReadOnlyList<CapacityProviderStrategyItem> UpdatedStrategy(ClusterRecord cluster, ServiceRecord service, UpdateServiceRequest request)
    {
        if (request.CapacityProviderStrategy is null)
        {
            return service.CapacityProviderStrategy;
        }

        if (service.IsDaemon && request.CapacityProviderStrategy.Count > 0)
        {
            throw EcsException.InvalidParameter("The daemon scheduling strategy does not support capacity provider strategies; use a launch type.");
        }

        if (service.CapacityProviderStrategy.Count == 0 && request.CapacityProviderStrategy.Count > 0 && request.ForceNewDeployment != true)
        {
            throw EcsException.InvalidParameter(
                "Updating a service from a launch type to a capacity provider strategy requires forceNewDeployment.");
        }

        return request.CapacityProviderStrategy.Count == 0
            ? cluster.DefaultCapacityProviderStrategy
            : CapacityProviderStrategies.Check([.. request.CapacityProviderStrategy], cluster, "capacityProviderStrategy");
    }

    public Task<ServiceResponse> UpdateServiceAsync(UpdateServiceRequest request, CancellationToken cancellationToken)
    {
        CheckDesiredCount(request.DesiredCount);

        var grace = CheckGracePeriod(request.HealthCheckGracePeriodSeconds);
        return store.WriteAsync(tx =>
        {
            var cluster = ActiveCluster(arns, tx.State, request.Cluster);
            var service = FindService(arns, tx.State, cluster, request.Service);
            if (service.Status != ServiceStatus.Active)
            {
                throw new EcsException(EcsErrors.ServiceNotActive, "Service was not ACTIVE.");
            }

            if (service.IsDaemon && request.DesiredCount is not null)
            {
                throw EcsException.InvalidParameter("The daemon scheduling strategy does not support a desired count for services.");
            }

            var (minimum, maximum, breaker) = DeploymentSettings(request.DeploymentConfiguration, service.IsDaemon, service);
            CheckServicePlacement(request.PlacementConstraints ?? service.PlacementConstraints, request.PlacementStrategy ?? service.PlacementStrategy, service.IsDaemon);
            var strategy = UpdatedStrategy(cluster, service, request);
            var updated = service with
            {
                CapacityProviderStrategy = strategy,
                LaunchType = strategy.Count > 0 ? null : service.LaunchType ?? "EC2",
                DesiredCount = request.DesiredCount ?? service.DesiredCount,
                MinimumHealthyPercent = minimum,
                MaximumPercent = maximum,
                CircuitBreakerEnabled = breaker.Enable,
                CircuitBreakerRollback = breaker.Rollback,
                HealthCheckGracePeriodSeconds = grace ?? service.HealthCheckGracePeriodSeconds,
                EnableExecuteCommand = request.EnableExecuteCommand ?? service.EnableExecuteCommand,
                PlacementConstraints = request.PlacementConstraints ?? service.PlacementConstraints, // [] clears them
                PlacementStrategy = request.PlacementStrategy ?? service.PlacementStrategy,
                SteadyStateReported = false,
                Version = service.Version + 1,
            };

            var definitionArn = service.TaskDefinitionArn;
            if (request.TaskDefinition is not null)
            {
                var definition = FindTaskDefinition(arns, tx.State, request.TaskDefinition) ?? throw EcsException.Client("TaskDefinition not found.");
                definitionArn = definition.Status == "ACTIVE" ? definition.TaskDefinitionArn! : throw EcsException.Client("TaskDefinition is inactive");
            }

            if (definitionArn != service.TaskDefinitionArn || request.ForceNewDeployment == true)
            {
                // A new PRIMARY deployment; the one it replaces keeps its tasks until the rollout retires them.
                var deployment = ServicePlanner.NewDeployment(ServiceScheduler.NewDeploymentId(), definitionArn, updated.DesiredCount, clock.GetUtcNow(), updated.LaunchType, strategy);
                updated = updated with
                {
                    TaskDefinitionArn = definitionArn,
                    Deployments = [deployment, .. service.Deployments.Select(d => d.Status == DeploymentStatus.Primary ? d with { Status = DeploymentStatus.Active } : d)],
                    ConsecutiveFailures = 0,
                    NextLaunchAt = null,
                };
            }

            if (request.ServiceRegistries is not null || request.LoadBalancers is not null || definitionArn != service.TaskDefinitionArn)
            {
                var runs = tx.State.TaskDefinitionByArn(definitionArn) ?? throw EcsException.Client("TaskDefinition not found.");
                updated = updated with
                {
                    ServiceRegistries = CheckRegistries(request.ServiceRegistries ?? service.ServiceRegistries, runs, tx.State, cluster.Name, service.Name),
                    LoadBalancers = CheckLoadBalancers(request.LoadBalancers ?? service.LoadBalancers, runs, tx.State),
                };
            }

            tx.Put(updated);
            return new ServiceResponse(ServiceView.From(arns, tx.State, updated, DescribeIncludes.None));
        }, cancellationToken);
    }

    public Task<ServiceResponse> DeleteServiceAsync(DeleteServiceRequest request, CancellationToken cancellationToken) =>
        store.WriteAsync(tx =>
        {
            var cluster = ActiveCluster(arns, tx.State, request.Cluster);
            var service = FindService(arns, tx.State, cluster, request.Service);
            if (service.Status != ServiceStatus.Active)
            {
                return new ServiceResponse(ServiceView.From(arns, tx.State, service, DescribeIncludes.None));
            }

            if (!service.IsDaemon && service.DesiredCount > 0 && request.Force != true)
            {
                throw EcsException.InvalidParameter("The service cannot be stopped while it is scaled above 0.");
            }

            var draining = service with { Status = ServiceStatus.Draining, DesiredCount = 0, Version = service.Version + 1 };
            tx.Put(draining);
            return new ServiceResponse(ServiceView.From(arns, tx.State, draining, DescribeIncludes.None));
        }, cancellationToken);

    public Task<DescribeServicesResponse> DescribeServicesAsync(DescribeServicesRequest request, CancellationToken cancellationToken)
    {
        var references = request.Services ?? [];
        if (references.Count is 0 or > 10)
        {
            throw EcsException.InvalidParameter("services must name between 1 and 10 services.");
        }

        var include = DescribeIncludes.Parse(request.Include, "TAGS");
        var state = store.Current;
        var cluster = ActiveCluster(arns, state, request.Cluster);
        var services = new List<Service>();
        var failures = new List<Failure>();
        foreach (var reference in references)
        {
            var arn = arns.Service(cluster.Name, ServiceName(arns, reference));
            if (state.Service(arn) is { } service)
            {
                services.Add(ServiceView.From(arns, state, service, request.Include is null ? DescribeIncludes.None : include));
            }
            else
            {
                failures.Add(new Failure(arn, "MISSING"));
            }
        }

        return Task.FromResult(new DescribeServicesResponse(services, failures));
    }

    public Task<ListServicesResponse> ListServicesAsync(ListServicesRequest request, CancellationToken cancellationToken)
    {
        CheckMaxResults(request.MaxResults);
        CheckEnum(request.SchedulingStrategy, "schedulingStrategy", SchedulingStrategies.Replica, SchedulingStrategies.Daemon);
        CheckEnum(request.LaunchType, "launchType", "EC2", "EXTERNAL", "FARGATE");
        var state = store.Current;
        var cluster = ActiveCluster(arns, state, request.Cluster);
        var services = state.ServicesIn(cluster.Name).Where(s =>
            s.Status == ServiceStatus.Active &&
            (request.SchedulingStrategy is null || s.SchedulingStrategy == request.SchedulingStrategy) &&
            (request.LaunchType is null || s.LaunchType == request.LaunchType));
        var (page, next) = Paging.Page(services, s => s.Arn, request.NextToken, request.MaxResults, defaultMax: 10);
        return Task.FromResult(new ListServicesResponse(page.Select(s => s.Arn).ToList(), next));
    }

    /// <summary>
    /// Services registered in a Service Connect namespace: none here (no Cloud Map), so an empty list for any
    /// namespace — what ECS answers for a namespace no service uses.
    /// </summary>
    public Task<ListServicesByNamespaceResponse> ListServicesByNamespaceAsync(ListServicesByNamespaceRequest request, CancellationToken cancellationToken)
    {
        CheckMaxResults(request.MaxResults);
        if (string.IsNullOrEmpty(request.Namespace))
        {
            throw EcsException.InvalidParameter("namespace is required.");
        }

        return Task.FromResult(new ListServicesByNamespaceResponse([], null));
    }

    /// <summary>ECS's rule for CreateService's clientToken: up to 36 ASCII characters from 33 to 126 (a UUID fits).</summary>
    private static void CheckClientToken(string? token)
    {
        if (token is { Length: 0 or > 36 } || (token is not null && token.Any(c => c is < (char)33 or > (char)126)))
        {
            throw EcsException.InvalidParameter("clientToken must be 1 to 36 ASCII characters (33-126).");
        }
    }

    /// <summary>The parts of deploymentConfiguration that name AWS features: accepted only when they ask for nothing.</summary>
    private static void CheckDeploymentFeatures(DeploymentConfiguration? requested)
    {
        if (requested?.Strategy is { } strategy && strategy != "ROLLING")
        {
            throw EcsException.Client(
                $"Parameter deploymentConfiguration.strategy is not supported by this control plane yet: the value \"{EcsText.Cut(strategy, 40)}\" is refused; it takes only \"ROLLING\".");
        }

        if (requested?.Alarms is { Enable: true } or { Rollback: true } || requested?.Alarms?.AlarmNames is { Count: > 0 })
        {
            throw EcsException.Client(
                "Parameter deploymentConfiguration.alarms is not supported by this control plane yet: the value an object asking for alarms is refused (no CloudWatch here); it takes only {\"enable\":false,\"rollback\":false}.");
        }
    }

    /// <summary>minimumHealthyPercent and maximumPercent (ECS defaults: REPLICA 100/200, DAEMON 0/100) and the circuit breaker.</summary>
    private static (int Minimum, int Maximum, DeploymentCircuitBreaker Breaker) DeploymentSettings(DeploymentConfiguration? requested, bool daemon, ServiceRecord? current)
    {
        CheckDeploymentFeatures(requested);
        var minimum = requested?.MinimumHealthyPercent ?? current?.MinimumHealthyPercent ?? (daemon ? 0 : 100);
        var maximum = requested?.MaximumPercent ?? current?.MaximumPercent ?? (daemon ? 100 : 200);
        if (minimum is < 0 or > 100)
        {
            throw EcsException.InvalidParameter($"minimumHealthyPercent must be between 0 and 100, not {minimum}.");
        }

        if (daemon && maximum != 100)
        {
            throw EcsException.InvalidParameter("The daemon scheduling strategy requires a maximumPercent of 100.");
        }

        if (maximum is < 100 or > 200)
        {
            throw EcsException.InvalidParameter($"maximumPercent must be between 100 and 200, not {maximum}.");
        }

        var breaker = requested?.DeploymentCircuitBreaker
            ?? (current is null ? new DeploymentCircuitBreaker(false, false) : new DeploymentCircuitBreaker(current.CircuitBreakerEnabled, current.CircuitBreakerRollback));
        return (minimum, maximum, breaker);
    }

    /// <summary>ECS's rules: at most 10 constraints and 5 strategies, valid expressions; DAEMON services take no strategies.</summary>
    private static void CheckServicePlacement(IReadOnlyList<PlacementConstraint>? constraints, IReadOnlyList<PlacementStrategy>? strategies, bool daemon)
    {
        if (daemon && strategies is { Count: > 0 })
        {
            throw EcsException.InvalidParameter("The daemon scheduling strategy does not support placement strategies.");
        }

        PlacementValidation.Validate(constraints, strategies);
    }

    private static int? CheckGracePeriod(int? seconds) =>
        seconds is < 0 ? throw EcsException.InvalidParameter("healthCheckGracePeriodSeconds must not be negative.") : seconds;

    [GeneratedRegex("^[A-Za-z0-9_-]{1,255}$")]
    private static partial Regex ServiceNamePattern();
}
