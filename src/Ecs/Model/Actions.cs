namespace Orchestrator.Ecs.Model;

// Request and response shapes of the ECS actions, named as in ECS's API model. Requests hold only the members this
// project implements; a request naming any other member is refused (see EcsRequestReader).

public sealed record CreateClusterRequest
{
    public string? ClusterName { get; init; }
    public IReadOnlyList<Tag>? Tags { get; init; }
    public IReadOnlyList<NameValuePair>? Settings { get; init; }
    public IReadOnlyList<string>? CapacityProviders { get; init; }
    public IReadOnlyList<CapacityProviderStrategyItem>? DefaultCapacityProviderStrategy { get; init; }
}

public sealed record ClusterResponse(Cluster Cluster);

public sealed record DeleteClusterRequest
{
    public string? Cluster { get; init; }
}

public sealed record DescribeClustersRequest
{
    public IReadOnlyList<string>? Clusters { get; init; }
    public IReadOnlyList<string>? Include { get; init; }
}

public sealed record DescribeClustersResponse(IReadOnlyList<Cluster> Clusters, IReadOnlyList<Failure> Failures);

public sealed record ListRequest
{
    public string? NextToken { get; init; }
    public int? MaxResults { get; init; }
}

public sealed record ListClustersResponse(IReadOnlyList<string> ClusterArns, string? NextToken);

public sealed record RegisterTaskDefinitionRequest
{
    public string? Family { get; init; }
    /// <summary>The role whose short-lived keys the task's containers get (a role of <c>orch role</c>).</summary>
    public string? TaskRoleArn { get; init; }
    public string? NetworkMode { get; init; }
    public IReadOnlyList<ContainerDefinition>? ContainerDefinitions { get; init; }
    public IReadOnlyList<Volume>? Volumes { get; init; }
    public IReadOnlyList<string>? RequiresCompatibilities { get; init; }
    public string? Cpu { get; init; }
    public string? Memory { get; init; }
    public IReadOnlyList<PlacementConstraint>? PlacementConstraints { get; init; }
    public IReadOnlyList<Tag>? Tags { get; init; }
}

public sealed record TaskDefinitionResponse(TaskDefinition TaskDefinition, IReadOnlyList<Tag>? Tags = null);

public sealed record DescribeTaskDefinitionRequest
{
    public string? TaskDefinition { get; init; }
    public IReadOnlyList<string>? Include { get; init; }
}

public sealed record DeregisterTaskDefinitionRequest
{
    public string? TaskDefinition { get; init; }
}

public sealed record ListTaskDefinitionsRequest
{
    public string? FamilyPrefix { get; init; }
    public string? Status { get; init; }
    public string? Sort { get; init; }
    public string? NextToken { get; init; }
    public int? MaxResults { get; init; }
}

public sealed record ListTaskDefinitionsResponse(IReadOnlyList<string> TaskDefinitionArns, string? NextToken);

public sealed record ListTaskDefinitionFamiliesRequest
{
    public string? FamilyPrefix { get; init; }
    public string? Status { get; init; }
    public string? NextToken { get; init; }
    public int? MaxResults { get; init; }
}

public sealed record ListTaskDefinitionFamiliesResponse(IReadOnlyList<string> Families, string? NextToken);

public sealed record RunTaskRequest
{
    public string? Cluster { get; init; }
    public string? TaskDefinition { get; init; }
    public int? Count { get; init; }
    public string? Group { get; init; }
    public string? StartedBy { get; init; }
    public string? LaunchType { get; init; }
    public IReadOnlyList<CapacityProviderStrategyItem>? CapacityProviderStrategy { get; init; }
    public TaskOverride? Overrides { get; init; }
    public IReadOnlyList<PlacementConstraint>? PlacementConstraints { get; init; }
    public IReadOnlyList<PlacementStrategy>? PlacementStrategy { get; init; }
    public IReadOnlyList<Tag>? Tags { get; init; }
    public NetworkConfiguration? NetworkConfiguration { get; init; }

    /// <summary>Whether `orch task exec` (ECS Exec) may run commands in the task's containers.</summary>
    public bool? EnableExecuteCommand { get; init; }

    /// <summary>
    /// Makes the call idempotent: a RunTask repeating a token already used in the cluster gets the tasks of the first
    /// call back instead of new ones (SDKs fill it in and send it again when they retry).
    /// </summary>
    public string? ClientToken { get; init; }
}

/// <summary>Where awsvpc tasks' network interfaces go.</summary>
public sealed record NetworkConfiguration
{
    public AwsvpcConfiguration? AwsvpcConfiguration { get; init; }
}

/// <summary>The subnets (as the control plane's configuration names them) an awsvpc task's address may come from.</summary>
public sealed record AwsvpcConfiguration
{
    public IReadOnlyList<string>? Subnets { get; init; }
    public IReadOnlyList<string>? SecurityGroups { get; init; }
    /// <summary><c>ENABLED</c> or <c>DISABLED</c> (the default; the only one this project offers).</summary>
    public string? AssignPublicIp { get; init; }
}

public sealed record TasksResponse(IReadOnlyList<EcsTask> Tasks, IReadOnlyList<Failure> Failures);

public sealed record StopTaskRequest
{
    public string? Cluster { get; init; }
    public string? Task { get; init; }
    public string? Reason { get; init; }
}

public sealed record TaskResponse(EcsTask Task);

public sealed record DescribeTasksRequest
{
    public string? Cluster { get; init; }
    public IReadOnlyList<string>? Tasks { get; init; }
    public IReadOnlyList<string>? Include { get; init; }
}

public sealed record ListTasksRequest
{
    public string? Cluster { get; init; }
    public string? ContainerInstance { get; init; }
    public string? Family { get; init; }
    public string? StartedBy { get; init; }
    public string? ServiceName { get; init; }
    public string? DesiredStatus { get; init; }
    public string? LaunchType { get; init; }
    public string? NextToken { get; init; }
    public int? MaxResults { get; init; }
}

public sealed record ListTasksResponse(IReadOnlyList<string> TaskArns, string? NextToken);

public sealed record ListContainerInstancesRequest
{
    public string? Cluster { get; init; }
    public string? Filter { get; init; }
    public string? Status { get; init; }
    public string? NextToken { get; init; }
    public int? MaxResults { get; init; }
}

public sealed record ListContainerInstancesResponse(IReadOnlyList<string> ContainerInstanceArns, string? NextToken);

public sealed record DescribeContainerInstancesRequest
{
    public string? Cluster { get; init; }
    public IReadOnlyList<string>? ContainerInstances { get; init; }
    public IReadOnlyList<string>? Include { get; init; }
}

public sealed record DescribeContainerInstancesResponse(IReadOnlyList<ContainerInstance> ContainerInstances, IReadOnlyList<Failure> Failures);

public sealed record EmptyResponse;

public sealed record TagResourceRequest
{
    public string? ResourceArn { get; init; }
    public IReadOnlyList<Tag>? Tags { get; init; }
}

public sealed record UntagResourceRequest
{
    public string? ResourceArn { get; init; }
    public IReadOnlyList<string>? TagKeys { get; init; }
}

public sealed record ListTagsForResourceRequest
{
    public string? ResourceArn { get; init; }
}

public sealed record ListTagsForResourceResponse(IReadOnlyList<Tag> Tags);

public sealed record PutAttributesRequest
{
    public string? Cluster { get; init; }
    public IReadOnlyList<Attribute>? Attributes { get; init; }
}

public sealed record DeleteAttributesRequest
{
    public string? Cluster { get; init; }
    public IReadOnlyList<Attribute>? Attributes { get; init; }
}

public sealed record AttributesResponse(IReadOnlyList<Attribute> Attributes);

public sealed record ListAttributesRequest
{
    public string? Cluster { get; init; }
    public string? TargetType { get; init; }
    public string? AttributeName { get; init; }
    public string? AttributeValue { get; init; }
    public string? NextToken { get; init; }
    public int? MaxResults { get; init; }
}

public sealed record ListAttributesResponse(IReadOnlyList<Attribute> Attributes, string? NextToken);

public sealed record UpdateContainerInstancesStateRequest
{
    public string? Cluster { get; init; }
    public IReadOnlyList<string>? ContainerInstances { get; init; }
    public string? Status { get; init; }
}

public sealed record DeregisterContainerInstanceRequest
{
    public string? Cluster { get; init; }
    public string? ContainerInstance { get; init; }
    public bool? Force { get; init; }
}

public sealed record ContainerInstanceResponse(ContainerInstance ContainerInstance);

public sealed record StartTaskRequest
{
    public string? Cluster { get; init; }
    public IReadOnlyList<string>? ContainerInstances { get; init; }
    public string? TaskDefinition { get; init; }
    public string? Group { get; init; }
    public string? StartedBy { get; init; }
    public TaskOverride? Overrides { get; init; }
    public IReadOnlyList<Tag>? Tags { get; init; }
    public NetworkConfiguration? NetworkConfiguration { get; init; }

    /// <summary>Whether `orch task exec` (ECS Exec) may run commands in the task's containers.</summary>
    public bool? EnableExecuteCommand { get; init; }
}

public sealed record DeleteTaskDefinitionsRequest
{
    public IReadOnlyList<string>? TaskDefinitions { get; init; }
}

public sealed record DeleteTaskDefinitionsResponse(IReadOnlyList<TaskDefinition> TaskDefinitions, IReadOnlyList<Failure> Failures);

public sealed record ListServicesByNamespaceRequest
{
    public string? Namespace { get; init; }
    public string? NextToken { get; init; }
    public int? MaxResults { get; init; }
}

public sealed record ListServicesByNamespaceResponse(IReadOnlyList<string> ServiceArns, string? NextToken);

public sealed record DescribeCapacityProvidersRequest
{
    public IReadOnlyList<string>? CapacityProviders { get; init; }
    public IReadOnlyList<string>? Include { get; init; }
    public string? Cluster { get; init; }
    public int? MaxResults { get; init; }
    public string? NextToken { get; init; }
}

public sealed record DescribeCapacityProvidersResponse(IReadOnlyList<CapacityProvider> CapacityProviders, IReadOnlyList<Failure> Failures, string? NextToken);

public sealed record UpdateClusterRequest
{
    public string? Cluster { get; init; }
    public IReadOnlyList<NameValuePair>? Settings { get; init; }
}

public sealed record UpdateClusterSettingsRequest
{
    public string? Cluster { get; init; }
    public IReadOnlyList<NameValuePair>? Settings { get; init; }
}

public sealed record UpdateTaskProtectionRequest
{
    public string? Cluster { get; init; }
    public IReadOnlyList<string>? Tasks { get; init; }
    public bool? ProtectionEnabled { get; init; }
    public int? ExpiresInMinutes { get; init; }
}

public sealed record GetTaskProtectionRequest
{
    public string? Cluster { get; init; }
    public IReadOnlyList<string>? Tasks { get; init; }
}

public sealed record ProtectedTask(string TaskArn, bool ProtectionEnabled, DateTimeOffset? ExpirationDate = null);

public sealed record TaskProtectionResponse(IReadOnlyList<ProtectedTask> ProtectedTasks, IReadOnlyList<Failure> Failures);

/// <summary>ECS's Setting: an account setting's name, value, whose it is and whether a user set it.</summary>
public sealed record Setting(string Name, string Value, string? PrincipalArn, string Type);

public sealed record AccountSettingResponse(Setting Setting);

public sealed record PutAccountSettingRequest
{
    public string? Name { get; init; }
    public string? Value { get; init; }
    public string? PrincipalArn { get; init; }
}

public sealed record PutAccountSettingDefaultRequest
{
    public string? Name { get; init; }
    public string? Value { get; init; }
}

public sealed record DeleteAccountSettingRequest
{
    public string? Name { get; init; }
    public string? PrincipalArn { get; init; }
}

public sealed record ListAccountSettingsRequest
{
    public string? Name { get; init; }
    public string? Value { get; init; }
    public string? PrincipalArn { get; init; }
    public bool? EffectiveSettings { get; init; }
    public string? NextToken { get; init; }
    public int? MaxResults { get; init; }
}

public sealed record ListAccountSettingsResponse(IReadOnlyList<Setting> Settings, string? NextToken);
