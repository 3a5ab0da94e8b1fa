using System.Diagnostics;
using System.Text.RegularExpressions;
using Orchestrator.ControlPlane.Scheduling;
using Orchestrator.ControlPlane.State;
using Orchestrator.ControlPlane.Tasks;
using Orchestrator.ControlPlane.Telemetry;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;
using static Orchestrator.ControlPlane.Application.RequestChecks;
using static Orchestrator.ControlPlane.Application.ResourceReferences;

namespace Orchestrator.ControlPlane.Application;

/// <summary>RunTask and StartTask: new tasks, placed, committed and sent to their instances' agents.</summary>
public sealed partial class TaskActions
{
    public const int MaxRunTaskCount = 10;

    public Task<TasksResponse> RunTaskAsync(RunTaskRequest request, CancellationToken cancellationToken)
    {
        var count = request.Count ?? 1;
        if (count is < 1 or > MaxRunTaskCount)
        {
            throw EcsException.InvalidParameter($"count must be between 1 and {MaxRunTaskCount}.");
        }

        CheckClientToken(request.ClientToken);
        var launch = new LaunchArguments(
            request.Cluster, request.TaskDefinition, request.Group, request.StartedBy, request.LaunchType, request.Overrides, request.Tags, request.NetworkConfiguration)
        {
            ClientToken = request.ClientToken,
            EnableExecuteCommand = request.EnableExecuteCommand ?? false,
            CapacityProviderStrategy = request.CapacityProviderStrategy,
        };
        return LaunchAsync(launch, request.PlacementConstraints, request.PlacementStrategy, count, onInstances: null, cancellationToken);
    }

    /// <summary>StartTask: one task on each named container instance, with the same resource checks and constraints.</summary>
    public Task<TasksResponse> StartTaskAsync(StartTaskRequest request, CancellationToken cancellationToken)
    {
        var references = request.ContainerInstances ?? [];
        if (references.Count is 0 or > 10)
        {
            throw EcsException.InvalidParameter("containerInstances must name between 1 and 10 container instances.");
        }

        var launch = new LaunchArguments(
            request.Cluster, request.TaskDefinition, request.Group, request.StartedBy, null, request.Overrides, request.Tags, request.NetworkConfiguration)
        {
            EnableExecuteCommand = request.EnableExecuteCommand ?? false,
        };
        return LaunchAsync(launch, null, null, references.Count, references, cancellationToken);
    }

    /// <summary>What RunTask and StartTask have in common: the task definition and the tasks' settings.</summary>
    private sealed record LaunchArguments(
        string? Cluster,
        string? TaskDefinition,
        string? Group,
        string? StartedBy,
        string? LaunchType,
        TaskOverride? Overrides,
        IReadOnlyList<Tag>? Tags,
        NetworkConfiguration? NetworkConfiguration)
    {
        /// <summary>RunTask's idempotency token; StartTask has none.</summary>
        public string? ClientToken { get; init; }

        public bool EnableExecuteCommand { get; init; }

        /// <summary>RunTask's capacityProviderStrategy; StartTask has none.</summary>
        public IReadOnlyList<CapacityProviderStrategyItem>? CapacityProviderStrategy { get; init; }
    }

    /// <summary>ECS's rule for RunTask's clientToken: up to 64 characters, each in the range 33–126.</summary>
    private static void CheckClientToken(string? token)
    {
        if (token is not null && (token.Length is 0 or > 64 || token.Any(c => c is < (char)33 or > (char)126)))
        {
            throw EcsException.InvalidParameter("clientToken must be 1 to 64 characters in the range 33-126 (printable ASCII, no spaces).");
        }
    }

    /// <summary>
    /// Validates a launch, plans it over the current snapshot without holding the writer (so concurrent launches plan
    /// in parallel), commits it in the one writer — where <see cref="TaskLauncher"/> re-checks the instances the plan
    /// uses — and tells the agents. A retried RunTask (same clientToken) gets the first call's tasks back.
    /// </summary>
    private async Task<TasksResponse> LaunchAsync(
        LaunchArguments launch,
        IReadOnlyList<PlacementConstraint>? constraints,
        IReadOnlyList<PlacementStrategy>? strategies,
        int count,
        IReadOnlyList<string>? onInstances,
        CancellationToken cancellationToken)
    {
        var action = onInstances is null ? "RunTask" : "StartTask";
        using var span = ControlPlaneMetrics.Source.StartActivity(action);
        var started = Stopwatch.GetTimestamp();
        var result = "error";
        try
        {
            var response = await LaunchCoreAsync(launch, constraints, strategies, count, onInstances, cancellationToken).ConfigureAwait(false);
            result = response.Failures.Count == 0 ? "ok" : response.Tasks.Count == 0 ? "unplaced" : "partial";
            return response;
        }
        finally
        {
            metrics?.LaunchTook(action, result, started);
            span?.SetTag("orch.result", result);
        }
    }

    private async Task<TasksResponse> LaunchCoreAsync(
        LaunchArguments launch,
        IReadOnlyList<PlacementConstraint>? constraints,
        IReadOnlyList<PlacementStrategy>? strategies,
        int count,
        IReadOnlyList<string>? onInstances,
        CancellationToken cancellationToken)
    {
        CheckStartedBy(launch.StartedBy);
        CheckEnum(launch.LaunchType, "launchType", "EC2", "EXTERNAL");
        if (launch.Group is { Length: > 255 })
        {
            throw EcsException.InvalidParameter("group must be at most 255 characters.");
        }

        var tags = Tagging.Validate(launch.Tags);
        var state = store.Current;
        var (cluster, definition) = Resolve(state, launch);
        var rules = PlacementValidation.Validate([.. definition.PlacementConstraints ?? [], .. constraints ?? []], strategies);
        var group = launch.Group ?? $"family:{definition.Family}";
        var placement = new PlacementRequest(TaskRequirements.Of(definition), count, group, rules, (ulong)Random.Shared.NextInt64())
        {
            Subnets = TaskSubnets(state, definition, launch.NetworkConfiguration),
        };
        var settings = new TaskSettings(group, launch.StartedBy, launch.LaunchType, launch.Overrides, launch.ClientToken)
        {
            EnableExecuteCommand = launch.EnableExecuteCommand,
        };
        var request = new LaunchRequest(cluster, definition, placement, settings)
        {
            OnInstances = onInstances?.Select(r => InstanceArn(arns, cluster, r)).ToList(),
            Tags = tags,
        };
        if (onInstances is null && !state.InstancesIn(cluster.Name).Any(i => i.Status != ContainerInstanceStatus.Inactive))
        {
            throw EcsException.InvalidParameter("No Container Instances were found in your cluster.");
        }

        // A capacity provider strategy (given, or the cluster's default when no launch type is given): the tasks split
        // over the providers by base and weight, each share placed on its provider's instances.
        var strategy = onInstances is null ? CapacityProviderStrategies.ForLaunch(cluster, launch.LaunchType, launch.CapacityProviderStrategy) : [];
        var requests = strategy.Count == 0
            ? [request]
            : CapacityLaunches.Split(state, request, strategy, CapacityStrategy.Split(CapacityReservation.Items(strategy), count));
        var plans = requests.Select(r => launcher.Plan(state, r)).ToList();
        var (created, failures, repeated) = await store.WriteAsync(tx =>
        {
            var current = ActiveCluster(arns, tx.State, cluster.Name);
            if (launch.ClientToken is { } token && tx.State.TasksWithClientToken(current.Name, token) is { Count: > 0 } earlier)
            {
                // The same call again (a retry after a lost reply): what the first one created, nothing new.
                return (earlier.ToList(), new List<Failure>(), true);
            }

            var made = new List<TaskRecord>();
            var failed = new List<Failure>();
            foreach (var plan in plans)
            {
                var outcome = launcher.Commit(tx, plan);
                made.AddRange(outcome.Created);
                failed.AddRange(outcome.Placement.InstanceFailures
                    .Where(f => failed.All(d => d.Arn != f.InstanceArn || d.Reason != f.Reason))
                    .Select(f => new Failure(f.InstanceArn, f.Reason, f.Detail)));
            }

            return (made, failed, false);
        }, cancellationToken).ConfigureAwait(false);

        if (repeated)
        {
            var now = store.Current;
            return new TasksResponse(created.Select(t => now.TagsOf(t.Arn) is { Count: > 0 } held ? t.Task with { Tags = held } : t.Task).ToList(), failures);
        }

        foreach (var task in created)
        {
            dispatcher.Run(task, definition);
        }

        return new TasksResponse(created.Select(t => tags.Count == 0 ? t.Task : t.Task with { Tags = tags }).ToList(), failures);
    }

    private (ClusterRecord Cluster, TaskDefinition Definition) Resolve(StateSnapshot state, LaunchArguments launch)
    {
        var cluster = ActiveCluster(arns, state, launch.Cluster);
        var definition = FindTaskDefinition(arns, state, launch.TaskDefinition) ?? throw EcsException.Client("TaskDefinition not found.");
        if (definition.Status != "ACTIVE")
        {
            throw EcsException.InvalidParameter("TaskDefinition is inactive");
        }

        CheckOverrides(definition, launch.Overrides);
        CheckRole(launch.Overrides?.TaskRoleArn is { Length: > 0 } overridden ? overridden : definition.TaskRoleArn);
        return (cluster, definition);
    }

    /// <summary>
    /// The subnets an awsvpc task's address may come from: those its networkConfiguration names (each must be one of
    /// the control plane's), or null for any that serves the instance. ECS requires networkConfiguration for awsvpc;
    /// here it is optional, as one control plane's subnets are few and known. Other network modes take none.
    /// </summary>
    private static IReadOnlyList<string>? TaskSubnets(StateSnapshot state, TaskDefinition definition, NetworkConfiguration? configuration)
    {
        if (definition.EffectiveNetworkMode != NetworkModes.Awsvpc)
        {
            return configuration?.AwsvpcConfiguration is null
                ? null
                : throw EcsException.InvalidParameter("Network Configuration is not valid for the given networkMode of this task definition.");
        }

        if (configuration?.AwsvpcConfiguration is not { } awsvpc)
        {
            return null;
        }

        CheckEnum(awsvpc.AssignPublicIp, "awsvpcConfiguration.assignPublicIp", "ENABLED", "DISABLED");
        if (awsvpc.AssignPublicIp == "ENABLED")
        {
            throw EcsException.InvalidParameter("assignPublicIp ENABLED is not supported: tasks get addresses of the control plane's subnets only.");
        }

        if (awsvpc.SecurityGroups is { Count: > 0 })
        {
            throw EcsException.InvalidParameter("securityGroups are not supported by this control plane: awsvpc tasks get no security groups.");
        }

        var subnets = (awsvpc.Subnets ?? []).Distinct(StringComparer.Ordinal).ToList();
        if (subnets.Count == 0)
        {
            throw EcsException.InvalidParameter("subnets can not be empty.");
        }

        if (subnets.Count > 16)
        {
            throw EcsException.InvalidParameter("awsvpcConfiguration can name at most 16 subnets.");
        }

        if (subnets.FirstOrDefault(id => state.Subnet(id) is null) is { } unknown)
        {
            throw EcsException.InvalidParameter($"Error retrieving subnet information for [{unknown}]: The subnet ID '{unknown}' does not exist.");
        }

        return subnets;
    }

    /// <summary>A task role must name a role of <c>orch role</c> when the task is started (ECS checks it can assume the role).</summary>
    private void CheckRole(string? role)
    {
        if (string.IsNullOrEmpty(role))
        {
            return;
        }

        if (Ecs.Validation.RoleArn.NameOf(role) is null)
        {
            throw EcsException.Client("Role is not valid: taskRoleArn must be a role's ARN (arn:aws:iam::ACCOUNT:role/NAME) or name.");
        }

        if (roles is null || roles.Find(role) is null)
        {
            throw EcsException.Client(
                $"ECS was unable to assume the role '{EcsText.Cut(role, 200)}' that was provided for this task: no such role (orch role create).");
        }
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
                throw EcsException.InvalidParameter($"Override for container named {EcsText.Cut(container.Name)} is not a container in the TaskDefinition.");
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

    [GeneratedRegex("^[A-Za-z0-9_-]{1,36}$")]
    private static partial Regex StartedByPattern();
}
