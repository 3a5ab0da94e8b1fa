using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Orchestrator.ControlPlane.Schedules;
using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Scaling;

/// <summary>
/// Application Auto Scaling's operations for ECS services (namespace <c>ecs</c>, resource <c>service/CLUSTER/SERVICE</c>,
/// dimension <c>ecs:service:DesiredCount</c>) over the state store. Requests and answers are the API's JSON documents;
/// errors are <see cref="EcsException"/>s carrying its error types.
/// </summary>
public sealed partial class AutoScalingActions(StateStore store, Arns arns, TimeProvider clock)
{
    public const string ValidationException = "ValidationException";
    public const string ObjectNotFoundException = "ObjectNotFoundException";
    public const string LimitExceededException = "LimitExceededException";
    public const string ResourceNotFoundException = "ResourceNotFoundException";
    public const string Namespace = "ecs";
    public const string Dimension = "ecs:service:DesiredCount";
    public const string CpuMetric = "ECSServiceAverageCPUUtilization";
    public const string MemoryMetric = "ECSServiceAverageMemoryUtilization";
    public const string RequestCountMetric = "ALBRequestCountPerTarget";
    public const int MaxPolicies = 50;
    public const int MaxScheduledActions = 200;
    public const int MaxCooldown = 86_400;
    public const int DefaultCooldown = 300;

    public static readonly IReadOnlySet<string> Names = new HashSet<string>(StringComparer.Ordinal)
    {
        "RegisterScalableTarget", "DeregisterScalableTarget", "DescribeScalableTargets", "PutScalingPolicy", "DeleteScalingPolicy",
        "DescribeScalingPolicies", "PutScheduledAction", "DeleteScheduledAction", "DescribeScheduledActions", "DescribeScalingActivities",
        "ListTagsForResource", "TagResource", "UntagResource",
    };

    public async Task<string> InvokeAsync(string action, string json, CancellationToken cancellationToken)
    {
        object response = action switch
        {
            "RegisterScalableTarget" => await RegisterAsync(Read<ScalableTargetInput>(json), cancellationToken).ConfigureAwait(false),
            "DeregisterScalableTarget" => await DeregisterAsync(Read<TargetKeyInput>(json), cancellationToken).ConfigureAwait(false),
            "DescribeScalableTargets" => DescribeTargets(Read<DescribeInput>(json)),
            "PutScalingPolicy" => await PutPolicyAsync(Read<ScalingPolicyInput>(json), cancellationToken).ConfigureAwait(false),
            "DeleteScalingPolicy" => await DeletePolicyAsync(Read<ScalingPolicyInput>(json), cancellationToken).ConfigureAwait(false),
            "DescribeScalingPolicies" => DescribePolicies(Read<DescribeInput>(json)),
            "PutScheduledAction" => await PutScheduledActionAsync(Read<ScheduledActionInput>(json), cancellationToken).ConfigureAwait(false),
            "DeleteScheduledAction" => await DeleteScheduledActionAsync(Read<ScheduledActionInput>(json), cancellationToken).ConfigureAwait(false),
            "DescribeScheduledActions" => DescribeScheduledActions(Read<DescribeInput>(json)),
            "DescribeScalingActivities" => DescribeActivities(Read<DescribeInput>(json)),
            "ListTagsForResource" => ListTags(Read<TagsInput>(json)),
            "TagResource" or "UntagResource" => throw Invalid("Tags on scalable targets are not supported by this control plane."),
            _ => throw new EcsException(EcsErrors.UnknownOperation, $"Unknown Application Auto Scaling operation {EcsText.Cut(action, 64)}."),
        };
        return JsonSerializer.Serialize(response, response.GetType(), SchedulerJson.Options);
    }

    public async Task<RegisterOutput> RegisterAsync(ScalableTargetInput input, CancellationToken cancellationToken)
    {
        var (cluster, service) = CheckTarget(input.ServiceNamespace, input.ResourceId, input.ScalableDimension);
        CheckCapacity(input.MinCapacity, "MinCapacity");
        CheckCapacity(input.MaxCapacity, "MaxCapacity");
        CheckRole(input.RoleARN);
        if (input.Tags is { Count: > 0 })
        {
            throw Invalid("Tags are not supported on scalable targets by this control plane.");
        }

        var now = clock.GetUtcNow();
        return await store.WriteAsync(tx =>
        {
            var record = tx.State.Service(arns.Service(cluster, service)) is { Status: ServiceStatus.Active } found
                ? found : throw Invalid($"ECS service doesn't exist: {input.ResourceId}");
            if (record.IsDaemon)
            {
                throw Invalid($"ECS service {input.ResourceId} uses the DAEMON scheduling strategy: it has no desired count to scale.");
            }

            var existing = tx.State.ScalableTargets.GetValueOrDefault(input.ResourceId!);
            if (existing is null && (input.MinCapacity is null || input.MaxCapacity is null))
            {
                throw Invalid("MinCapacity and MaxCapacity are required when registering a new scalable target.");
            }

            var min = input.MinCapacity ?? existing!.MinCapacity;
            var max = input.MaxCapacity ?? existing!.MaxCapacity;
            if (min > max)
            {
                throw Invalid($"Minimum capacity ({min}) cannot be greater than maximum capacity ({max}).");
            }

            var target = (existing ?? new ScalableTargetRecord
            {
                ResourceId = input.ResourceId!,
                ClusterName = cluster,
                ServiceName = service,
                Arn = $"arn:aws:application-autoscaling:{arns.Region}:{arns.Account}:scalable-target/{Guid.NewGuid():N}",
                CreationTime = now,
            }) with
            {
                MinCapacity = min,
                MaxCapacity = max,
                RoleArn = input.RoleARN ?? existing?.RoleArn ?? $"arn:aws:iam::{arns.Account}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService",
                DynamicScalingInSuspended = input.SuspendedState?.DynamicScalingInSuspended ?? existing?.DynamicScalingInSuspended ?? false,
                DynamicScalingOutSuspended = input.SuspendedState?.DynamicScalingOutSuspended ?? existing?.DynamicScalingOutSuspended ?? false,
                ScheduledScalingSuspended = input.SuspendedState?.ScheduledScalingSuspended ?? existing?.ScheduledScalingSuspended ?? false,
            };
            tx.Put(target);
            return new RegisterOutput(target.Arn);
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<object> DeregisterAsync(TargetKeyInput input, CancellationToken cancellationToken)
    {
        CheckTarget(input.ServiceNamespace, input.ResourceId, input.ScalableDimension);
        await store.WriteAsync(tx =>
        {
            tx.Delete(Find(tx.State, input.ResourceId!));
            return true;
        }, cancellationToken).ConfigureAwait(false);
        return new Dictionary<string, string>();
    }

    public TargetsOutput DescribeTargets(DescribeInput input)
    {
        CheckNamespace(input.ServiceNamespace);
        CheckDimension(input.ScalableDimension, required: false);
        if (input.ResourceIds is { Count: > 50 })
        {
            throw Invalid("ResourceIds can name at most 50 resources.");
        }

        var targets = store.Current.ScalableTargets.Values
            .Where(t => input.ResourceIds is not { Count: > 0 } ids || ids.Contains(t.ResourceId))
            .Select(View).ToList();
        var (page, next) = Page(targets, input);
        return new TargetsOutput(page, next);
    }

    public async Task<PutScalingPolicyOutput> PutPolicyAsync(ScalingPolicyInput input, CancellationToken cancellationToken)
    {
        CheckTarget(input.ServiceNamespace, input.ResourceId, input.ScalableDimension);
        var name = CheckName(input.PolicyName, "PolicyName");
        var type = input.PolicyType ?? "StepScaling";
        var now = clock.GetUtcNow();
        ScalingPolicyOutput definition = type switch
        {
            "TargetTrackingScaling" => new ScalingPolicyOutput { TargetTrackingScalingPolicyConfiguration = CheckTargetTracking(input) },
            "StepScaling" => new ScalingPolicyOutput { StepScalingPolicyConfiguration = CheckStep(input) },
            "PredictiveScaling" => throw Invalid("PredictiveScaling is not supported by this control plane: it needs a forecast from CloudWatch's history, which it does not keep. Use TargetTrackingScaling or StepScaling."),
            _ => throw Invalid("PolicyType must be TargetTrackingScaling or StepScaling."),
        };

        return await store.WriteAsync(tx =>
        {
            var target = Find(tx.State, input.ResourceId!);
            if (definition.TargetTrackingScalingPolicyConfiguration?.PredefinedMetricSpecification is { PredefinedMetricType: RequestCountMetric } requests &&
                RequestTargetGroup(requests.ResourceLabel) is { } group && !tx.State.TargetGroups.ContainsKey(group))
            {
                throw Invalid($"ResourceLabel names target group {group}, which the built-in load balancer does not have (orch lb target-group list).");
            }

            var existing = target.Policies.FirstOrDefault(p => p.Name == name);
            if (existing is null && target.Policies.Count >= MaxPolicies)
            {
                throw new EcsException(LimitExceededException, $"A scalable target can have at most {MaxPolicies} scaling policies.");
            }

            var arn = existing is not null ? Policy(existing).PolicyARN! :
                $"arn:aws:autoscaling:{arns.Region}:{arns.Account}:scalingPolicy:{Guid.NewGuid()}:resource/ecs/{target.ResourceId}:policyName/{name}";
            var full = definition with
            {
                PolicyARN = arn,
                PolicyName = name,
                ServiceNamespace = Namespace,
                ResourceId = target.ResourceId,
                ScalableDimension = Dimension,
                PolicyType = type,
                CreationTime = existing is not null ? Policy(existing).CreationTime : now,
            };
            var record = new ScalingPolicyRecord(name, JsonSerializer.SerializeToElement(full, SchedulerJson.Options))
            {
                LastScaleOutAt = existing?.LastScaleOutAt,
                LastScaleInAt = existing?.LastScaleInAt,
            };
            tx.Put(target with { Policies = [.. target.Policies.Where(p => p.Name != name), record] });
            return new PutScalingPolicyOutput(arn, []);
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<object> DeletePolicyAsync(ScalingPolicyInput input, CancellationToken cancellationToken)
    {
        CheckTarget(input.ServiceNamespace, input.ResourceId, input.ScalableDimension);
        var name = CheckName(input.PolicyName, "PolicyName");
        await store.WriteAsync(tx =>
        {
            var target = Find(tx.State, input.ResourceId!);
            if (target.Policies.All(p => p.Name != name))
            {
                throw new EcsException(ObjectNotFoundException, $"No scaling policy found for service namespace: ecs, resource ID: {target.ResourceId}, scalable dimension: {Dimension}, policy name: {name}");
            }

            tx.Put(target with { Policies = [.. target.Policies.Where(p => p.Name != name)] });
            return true;
        }, cancellationToken).ConfigureAwait(false);
        return new Dictionary<string, string>();
    }

    public PoliciesOutput DescribePolicies(DescribeInput input)
    {
        CheckNamespace(input.ServiceNamespace);
        CheckDimension(input.ScalableDimension, required: false);
        var policies = Targets(input.ResourceId)
            .SelectMany(t => t.Policies)
            .Where(p => input.PolicyNames is not { Count: > 0 } names || names.Contains(p.Name))
            .Select(Policy).ToList();
        var (page, next) = Page(policies, input);
        return new PoliciesOutput(page, next);
    }

    public async Task<object> PutScheduledActionAsync(ScheduledActionInput input, CancellationToken cancellationToken)
    {
        CheckTarget(input.ServiceNamespace, input.ResourceId, input.ScalableDimension);
        var name = CheckName(input.ScheduledActionName, "ScheduledActionName");
        var now = clock.GetUtcNow();
        await store.WriteAsync(tx =>
        {
            var target = Find(tx.State, input.ResourceId!);
            var existing = target.ScheduledActions.FirstOrDefault(a => a.Name == name);
            if (existing is null && target.ScheduledActions.Count >= MaxScheduledActions)
            {
                throw new EcsException(LimitExceededException, $"A scalable target can have at most {MaxScheduledActions} scheduled actions.");
            }

            var previous = existing is null ? null : ScheduledAction(existing);
            var schedule = input.Schedule ?? previous?.Schedule ?? throw Invalid("Schedule is required: at(yyyy-mm-ddThh:mm:ss), rate(value unit) or cron(fields).");
            CheckSchedule(schedule);
            var zone = input.Timezone ?? previous?.Timezone ?? "UTC";
            _ = ScheduleTiming.FindZone(zone) ?? throw Invalid($"Timezone {EcsText.Cut(zone, 50)} is not a time zone name such as UTC or Europe/Paris.");
            var action = input.ScalableTargetAction ?? previous?.ScalableTargetAction;
            if (action is null || (action.MinCapacity is null && action.MaxCapacity is null))
            {
                throw Invalid("ScalableTargetAction must set MinCapacity, MaxCapacity or both.");
            }

            CheckCapacity(action.MinCapacity, "ScalableTargetAction.MinCapacity");
            CheckCapacity(action.MaxCapacity, "ScalableTargetAction.MaxCapacity");
            if (action.MinCapacity > action.MaxCapacity)
            {
                throw Invalid($"ScalableTargetAction.MinCapacity ({action.MinCapacity}) cannot be greater than its MaxCapacity ({action.MaxCapacity}).");
            }

            var start = input.StartTime ?? previous?.StartTime;
            var end = input.EndTime ?? previous?.EndTime;
            if (start is { } s && end is { } e && e <= s)
            {
                throw Invalid("EndTime must be after StartTime.");
            }

            var definition = new ScheduledActionOutput
            {
                ScheduledActionName = name,
                ScheduledActionARN = previous?.ScheduledActionARN ??
                    $"arn:aws:autoscaling:{arns.Region}:{arns.Account}:scheduledAction:{Guid.NewGuid()}:resource/ecs/{target.ResourceId}:scheduledActionName/{name}",
                ServiceNamespace = Namespace,
                Schedule = schedule,
                Timezone = zone,
                ResourceId = target.ResourceId,
                ScalableDimension = Dimension,
                StartTime = start,
                EndTime = end,
                ScalableTargetAction = action,
                CreationTime = previous?.CreationTime ?? now,
            };
            // A changed action counts its times from now (ModifiedAt): a new rate starts again, nothing is backfilled.
            var record = new ScheduledActionRecord(name, JsonSerializer.SerializeToElement(definition, SchedulerJson.Options))
            {
                ModifiedAt = now,
                LastFireTime = previous is not null && previous.Schedule == schedule && previous.Timezone == zone ? existing!.LastFireTime : null,
            };
            tx.Put(target with { ScheduledActions = [.. target.ScheduledActions.Where(a => a.Name != name), record] });
            return true;
        }, cancellationToken).ConfigureAwait(false);
        return new Dictionary<string, string>();
    }

    public async Task<object> DeleteScheduledActionAsync(ScheduledActionInput input, CancellationToken cancellationToken)
    {
        CheckTarget(input.ServiceNamespace, input.ResourceId, input.ScalableDimension);
        var name = CheckName(input.ScheduledActionName, "ScheduledActionName");
        await store.WriteAsync(tx =>
        {
            var target = Find(tx.State, input.ResourceId!);
            if (target.ScheduledActions.All(a => a.Name != name))
            {
                throw new EcsException(ObjectNotFoundException, $"No scheduled action found for service namespace: ecs, resource ID: {target.ResourceId}, scalable dimension: {Dimension}, scheduled action name: {name}");
            }

            tx.Put(target with { ScheduledActions = [.. target.ScheduledActions.Where(a => a.Name != name)] });
            return true;
        }, cancellationToken).ConfigureAwait(false);
        return new Dictionary<string, string>();
    }

    public ScheduledActionsOutput DescribeScheduledActions(DescribeInput input)
    {
        CheckNamespace(input.ServiceNamespace);
        CheckDimension(input.ScalableDimension, required: false);
        var actions = Targets(input.ResourceId)
            .SelectMany(t => t.ScheduledActions)
            .Where(a => input.ScheduledActionNames is not { Count: > 0 } names || names.Contains(a.Name))
            .Select(ScheduledAction).ToList();
        var (page, next) = Page(actions, input);
        return new ScheduledActionsOutput(page, next);
    }

    public ActivitiesOutput DescribeActivities(DescribeInput input)
    {
        CheckNamespace(input.ServiceNamespace);
        CheckDimension(input.ScalableDimension, required: false);
        var activities = Targets(input.ResourceId)
            .SelectMany(t => t.Activities.Select(a => new ScalingActivityOutput
            {
                ActivityId = a.ActivityId,
                ServiceNamespace = Namespace,
                ResourceId = t.ResourceId,
                ScalableDimension = Dimension,
                Description = a.Description,
                Cause = a.Cause,
                StartTime = a.StartTime,
                EndTime = a.EndTime,
                StatusCode = a.StatusCode,
                StatusMessage = a.StatusMessage,
                Details = a.Details,
            }))
            .OrderByDescending(a => a.StartTime).ToList();
        var (page, next) = Page(activities, input);
        return new ActivitiesOutput(page, next);
    }

    /// <summary>A scalable target's tags: it has none (tagging is not offered), but tools such as Terraform ask.</summary>
    public TagsOutput ListTags(TagsInput input)
    {
        var arn = input.ResourceARN ?? throw Invalid("ResourceARN is required.");
        if (store.Current.ScalableTargets.Values.All(t => t.Arn != arn))
        {
            throw new EcsException(ResourceNotFoundException, $"No scalable target with the ARN {EcsText.Cut(arn, 200)}.");
        }

        return new TagsOutput([]);
    }

    public static ScalingPolicyOutput Policy(ScalingPolicyRecord record) =>
        record.Definition.Deserialize<ScalingPolicyOutput>(SchedulerJson.Options) ?? throw new InvalidOperationException($"Policy {record.Name} has no definition.");

    public static ScheduledActionOutput ScheduledAction(ScheduledActionRecord record) =>
        record.Definition.Deserialize<ScheduledActionOutput>(SchedulerJson.Options) ?? throw new InvalidOperationException($"Scheduled action {record.Name} has no definition.");

    public static ScalableTargetOutput View(ScalableTargetRecord target) => new()
    {
        ServiceNamespace = Namespace,
        ResourceId = target.ResourceId,
        ScalableDimension = Dimension,
        MinCapacity = target.MinCapacity,
        MaxCapacity = target.MaxCapacity,
        RoleARN = target.RoleArn,
        CreationTime = target.CreationTime,
        SuspendedState = new SuspendedState
        {
            DynamicScalingInSuspended = target.DynamicScalingInSuspended,
            DynamicScalingOutSuspended = target.DynamicScalingOutSuspended,
            ScheduledScalingSuspended = target.ScheduledScalingSuspended,
        },
        ScalableTargetARN = target.Arn,
    };

    private IEnumerable<ScalableTargetRecord> Targets(string? resourceId)
    {
        if (resourceId is not null)
        {
            CheckResourceId(resourceId);
            return store.Current.ScalableTargets.GetValueOrDefault(resourceId) is { } one ? [one] : [];
        }

        return store.Current.ScalableTargets.Values;
    }

    private static (List<T> Page, string? Next) Page<T>(List<T> items, DescribeInput input)
    {
        var max = input.MaxResults ?? 50;
        if (max is < 1 or > 50)
        {
            throw Invalid("MaxResults must be between 1 and 50.");
        }

        var start = 0;
        if (input.NextToken is { } token)
        {
            try
            {
                start = int.Parse(Encoding.UTF8.GetString(Convert.FromHexString(token)), NumberStyles.None, CultureInfo.InvariantCulture);
            }
            catch (Exception e) when (e is FormatException or OverflowException)
            {
                throw Invalid("NextToken is not a token this API gave.");
            }
        }

        var page = items.Skip(start).Take(max).ToList();
        var next = start + max < items.Count ? Convert.ToHexStringLower(Encoding.UTF8.GetBytes((start + max).ToString(CultureInfo.InvariantCulture))) : null;
        return (page, next);
    }

    private static ScalableTargetRecord Find(StateSnapshot state, string resourceId) =>
        state.ScalableTargets.GetValueOrDefault(resourceId)
            ?? throw new EcsException(ObjectNotFoundException, $"No scalable target registered for service namespace: ecs, resource ID: {resourceId}, scalable dimension: {Dimension}");

    private static (string Cluster, string Service) CheckTarget(string? serviceNamespace, string? resourceId, string? dimension)
    {
        CheckNamespace(serviceNamespace);
        CheckDimension(dimension, required: true);
        return CheckResourceId(resourceId);
    }

    private static void CheckNamespace(string? serviceNamespace)
    {
        if (serviceNamespace is null)
        {
            throw Invalid("ServiceNamespace is required.");
        }

        if (serviceNamespace != Namespace)
        {
            throw Invalid($"Unsupported service namespace {EcsText.Cut(serviceNamespace, 40)}: this control plane scales ECS services only (ServiceNamespace ecs).");
        }
    }

    private static void CheckDimension(string? dimension, bool required)
    {
        if (dimension is null && !required)
        {
            return;
        }

        if (dimension != Dimension)
        {
            throw Invalid(dimension is null ? "ScalableDimension is required." : $"Unsupported scalable dimension {EcsText.Cut(dimension, 60)}: only {Dimension} is supported.");
        }
    }

    private static (string Cluster, string Service) CheckResourceId(string? resourceId)
    {
        var match = resourceId is null ? null : ResourceIdPattern().Match(resourceId);
        if (match is not { Success: true })
        {
            throw Invalid(resourceId is null ? "ResourceId is required." : $"Unsupported resource ID {EcsText.Cut(resourceId, 100)}: an ECS service's is service/CLUSTER/SERVICE.");
        }

        return (match.Groups[1].Value, match.Groups[2].Value);
    }

    private static void CheckCapacity(int? capacity, string member)
    {
        if (capacity is < 0 or > Application.ServiceActions.MaxDesiredCount)
        {
            throw Invalid($"{member} must be between 0 and {Application.ServiceActions.MaxDesiredCount}.");
        }
    }

    private static void CheckRole(string? role)
    {
        if (role is not null && (role.Length > 1600 || !role.StartsWith("arn:", StringComparison.Ordinal)))
        {
            throw Invalid("RoleARN must be an IAM role ARN; it is accepted, not enforced.");
        }
    }

    private static string CheckName(string? name, string member)
    {
        if (name is null || !NamePattern().IsMatch(name))
        {
            throw Invalid($"{member} must be 1 to 256 characters without ':' or '/' (letters, digits, '-', '_', '.', spaces).");
        }

        return name;
    }

    private static void CheckSchedule(string schedule)
    {
        if (schedule.Length > 256)
        {
            throw Invalid("Schedule must be at most 256 characters.");
        }

        try
        {
            ScheduleExpression.Parse(schedule);
        }
        catch (FormatException e)
        {
            throw Invalid($"Invalid Schedule {EcsText.Cut(schedule, 64)}: {e.Message}");
        }
    }

    /// <summary>
    /// The target group an ALBRequestCountPerTarget ResourceLabel names: a target group name, or ELB's label
    /// <c>app/LB/ID/targetgroup/NAME/ID</c>; null when it names none.
    /// </summary>
    public static string? RequestTargetGroup(string? label)
    {
        if (label is null || label.Length > 1023)
        {
            return null;
        }

        var at = label.IndexOf("targetgroup/", StringComparison.Ordinal);
        var name = at < 0 ? label : label[(at + "targetgroup/".Length)..].Split('/')[0];
        return LoadBalancing.LoadBalancerNames.IsName(name) ? name : null;
    }

    private static TargetTrackingConfiguration CheckTargetTracking(ScalingPolicyInput input)
    {
        if (input.StepScalingPolicyConfiguration is not null)
        {
            throw Invalid("StepScalingPolicyConfiguration is not allowed with PolicyType TargetTrackingScaling.");
        }

        var config = input.TargetTrackingScalingPolicyConfiguration ?? throw Invalid("TargetTrackingScalingPolicyConfiguration is required for PolicyType TargetTrackingScaling.");
        if (config.TargetValue is not { } value || !double.IsFinite(value) || value < 8.515920e-109 || value > 6.174271e+107)
        {
            throw Invalid("TargetTrackingScalingPolicyConfiguration.TargetValue is required and must be a positive number.");
        }

        if (config.CustomizedMetricSpecification is not null)
        {
            throw Invalid("CustomizedMetricSpecification is not supported by this control plane (there is no CloudWatch): use PredefinedMetricSpecification with ECSServiceAverageCPUUtilization or ECSServiceAverageMemoryUtilization.");
        }

        var metric = config.PredefinedMetricSpecification?.PredefinedMetricType
            ?? throw Invalid("PredefinedMetricSpecification.PredefinedMetricType is required: ECSServiceAverageCPUUtilization or ECSServiceAverageMemoryUtilization.");
        if (metric is not (CpuMetric or MemoryMetric or RequestCountMetric))
        {
            throw Invalid($"Unsupported PredefinedMetricType {EcsText.Cut(metric, 60)} for an ECS service: ECSServiceAverageCPUUtilization, ECSServiceAverageMemoryUtilization or ALBRequestCountPerTarget.");
        }

        var label = config.PredefinedMetricSpecification!.ResourceLabel;
        if (metric == RequestCountMetric && RequestTargetGroup(label) is null)
        {
            // The built-in balancer counts requests per target group (LoadBalancing/RequestCounter).
            throw Invalid("ALBRequestCountPerTarget needs ResourceLabel naming a target group of the built-in load balancer: its name, or app/orch/0/targetgroup/NAME/ID.");
        }

        if (metric != RequestCountMetric && label is not null)
        {
            throw Invalid("ResourceLabel is only used with ALBRequestCountPerTarget.");
        }

        if (config.ScaleOutCooldown is < 0 or > MaxCooldown || config.ScaleInCooldown is < 0 or > MaxCooldown)
        {
            throw Invalid($"ScaleOutCooldown and ScaleInCooldown must be between 0 and {MaxCooldown} seconds.");
        }

        return config with
        {
            ScaleOutCooldown = config.ScaleOutCooldown ?? DefaultCooldown,
            ScaleInCooldown = config.ScaleInCooldown ?? DefaultCooldown,
            DisableScaleIn = config.DisableScaleIn ?? false,
        };
    }

    private static StepScalingConfiguration CheckStep(ScalingPolicyInput input)
    {
        if (input.TargetTrackingScalingPolicyConfiguration is not null)
        {
            throw Invalid("TargetTrackingScalingPolicyConfiguration is not allowed with PolicyType StepScaling.");
        }

        var config = input.StepScalingPolicyConfiguration ?? throw Invalid("StepScalingPolicyConfiguration is required for PolicyType StepScaling.");
        if (config.AdjustmentType is not ("ChangeInCapacity" or "PercentChangeInCapacity" or "ExactCapacity"))
        {
            throw Invalid("StepScalingPolicyConfiguration.AdjustmentType must be ChangeInCapacity, PercentChangeInCapacity or ExactCapacity.");
        }

        if (config.MinAdjustmentMagnitude is not null && config.AdjustmentType != "PercentChangeInCapacity")
        {
            throw Invalid("MinAdjustmentMagnitude is only allowed with AdjustmentType PercentChangeInCapacity.");
        }

        if (config.MinAdjustmentMagnitude is < 1)
        {
            throw Invalid("MinAdjustmentMagnitude must be at least 1.");
        }

        if (config.Cooldown is < 0 or > MaxCooldown)
        {
            throw Invalid($"Cooldown must be between 0 and {MaxCooldown} seconds.");
        }

        if (config.MetricAggregationType is not (null or "Average" or "Minimum" or "Maximum"))
        {
            throw Invalid("MetricAggregationType must be Average, Minimum or Maximum.");
        }

        var steps = config.StepAdjustments;
        if (steps is not { Count: > 0 } || steps.Count > 20)
        {
            throw Invalid("StepAdjustments must have 1 to 20 steps.");
        }

        foreach (var step in steps)
        {
            if (step is null || step.ScalingAdjustment is null)
            {
                throw Invalid("Each step adjustment needs a ScalingAdjustment.");
            }

            if (step.MetricIntervalLowerBound is { } lower && !double.IsFinite(lower) || step.MetricIntervalUpperBound is { } upper && !double.IsFinite(upper))
            {
                throw Invalid("Step bounds must be finite numbers.");
            }

            if (step.MetricIntervalLowerBound is { } l && step.MetricIntervalUpperBound is { } u && u <= l)
            {
                throw Invalid("A step's MetricIntervalUpperBound must be greater than its MetricIntervalLowerBound.");
            }

            if (step.ScalingAdjustment is < -Application.ServiceActions.MaxDesiredCount * 100 or > Application.ServiceActions.MaxDesiredCount * 100)
            {
                throw Invalid($"ScalingAdjustment must be between {-Application.ServiceActions.MaxDesiredCount * 100} and {Application.ServiceActions.MaxDesiredCount * 100}.");
            }

            if (config.AdjustmentType == "ExactCapacity" && step.ScalingAdjustment < 0)
            {
                throw Invalid("With AdjustmentType ExactCapacity, ScalingAdjustment must not be negative.");
            }
        }

        // As AWS requires: the steps do not overlap and leave no gap, at most one is open below and one above.
        var ordered = steps.OrderBy(s => s.MetricIntervalLowerBound ?? double.NegativeInfinity).ToList();
        for (var i = 1; i < ordered.Count; i++)
        {
            if (ordered[i - 1].MetricIntervalUpperBound is not { } previousUpper || ordered[i].MetricIntervalLowerBound is not { } lower || previousUpper != lower)
            {
                throw Invalid("Step adjustments must not overlap or leave gaps: each step's MetricIntervalLowerBound is the previous one's MetricIntervalUpperBound, and only the first may leave out its lower bound and only the last its upper bound.");
            }
        }

        return config with { Cooldown = config.Cooldown ?? DefaultCooldown, MetricAggregationType = config.MetricAggregationType ?? "Average" };
    }

    private static T Read<T>(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(string.IsNullOrWhiteSpace(json) ? "{}" : json, SchedulerJson.Options)
                ?? throw Invalid("The request body must be a JSON object.");
        }
        catch (JsonException e)
        {
            var unknown = UnknownMember().Match(e.Message);
            throw Invalid(unknown.Success
                ? $"The request has an unknown member '{unknown.Groups[1].Value}'{(e.Path is { Length: > 1 } at ? $" at {EcsText.Cut(at, 100)}" : "")}."
                : $"The request is not valid JSON of the expected shape{(e.Path is { Length: > 0 } path ? $" at {EcsText.Cut(path, 100)}" : "")}.");
        }
    }

    internal static EcsException Invalid(string message) => new(ValidationException, message);

    [GeneratedRegex("property '([A-Za-z0-9_]{1,64})' could not be mapped")]
    private static partial Regex UnknownMember();

    [GeneratedRegex("^service/([A-Za-z0-9_-]{1,255})/([A-Za-z0-9_-]{1,255})$")]
    private static partial Regex ResourceIdPattern();

    [GeneratedRegex(@"^[^:/\p{C}]{1,256}$")]
    private static partial Regex NamePattern();
}
