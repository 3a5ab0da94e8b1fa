using System.Text.Json;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Ecs.Json;

/// <summary>
/// Every member ECS's current API model (botocore 1.43) defines for the request shapes we read, and what the control
/// plane does with the ones its request records do not carry:
/// <list type="bullet">
/// <item>a member with a <see cref="NoOp"/> is accepted when its value asks for nothing this control plane lacks
/// (<c>"DISABLED"</c>, <c>false</c>, an empty list) — Terraform and current SDKs send these on every call;</item>
/// <item>any other known member is accepted only when absent, null or empty, and refused by name and value otherwise;</item>
/// <item>a name ECS does not define is refused as unknown.</item>
/// </list>
/// Never is a value that asks for something silently ignored.
/// </summary>
public static class EcsMembers
{
    private static readonly Dictionary<Type, HashSet<string>> Known = new()
    {
        [typeof(CreateClusterRequest)] = Set("clusterName tags settings configuration capacityProviders defaultCapacityProviderStrategy serviceConnectDefaults"),
        [typeof(DeleteClusterRequest)] = Set("cluster"),
        [typeof(DescribeClustersRequest)] = Set("clusters include"),
        [typeof(ListRequest)] = Set("nextToken maxResults"),
        [typeof(RegisterTaskDefinitionRequest)] = Set(
            "family taskRoleArn executionRoleArn networkMode containerDefinitions volumes placementConstraints " +
            "requiresCompatibilities cpu memory tags pidMode ipcMode proxyConfiguration inferenceAccelerators " +
            "ephemeralStorage runtimePlatform enableFaultInjection"),
        [typeof(DeregisterTaskDefinitionRequest)] = Set("taskDefinition"),
        [typeof(DescribeTaskDefinitionRequest)] = Set("taskDefinition include"),
        [typeof(ListTaskDefinitionsRequest)] = Set("familyPrefix status sort nextToken maxResults"),
        [typeof(ListTaskDefinitionFamiliesRequest)] = Set("familyPrefix status nextToken maxResults"),
        [typeof(RunTaskRequest)] = Set(
            "capacityProviderStrategy cluster count enableECSManagedTags enableExecuteCommand group launchType networkConfiguration " +
            "overrides placementConstraints placementStrategy platformVersion propagateTags referenceId startedBy tags " +
            "taskDefinition clientToken volumeConfigurations"),
        [typeof(StopTaskRequest)] = Set("cluster task reason"),
        [typeof(DescribeTasksRequest)] = Set("cluster tasks include"),
        [typeof(ListTasksRequest)] = Set(
            "cluster containerInstance family nextToken maxResults startedBy serviceName desiredStatus launchType daemonName"),
        [typeof(ListContainerInstancesRequest)] = Set("cluster filter nextToken maxResults status"),
        [typeof(DescribeContainerInstancesRequest)] = Set("cluster containerInstances include"),
        [typeof(UpdateContainerInstancesStateRequest)] = Set("cluster containerInstances status"),
        [typeof(DeregisterContainerInstanceRequest)] = Set("cluster containerInstance force"),
        [typeof(StartTaskRequest)] = Set(
            "cluster containerInstances enableECSManagedTags enableExecuteCommand group networkConfiguration overrides " +
            "propagateTags referenceId startedBy tags taskDefinition volumeConfigurations"),
        [typeof(PutAttributesRequest)] = Set("cluster attributes"),
        [typeof(DeleteAttributesRequest)] = Set("cluster attributes"),
        [typeof(ListAttributesRequest)] = Set("cluster targetType attributeName attributeValue nextToken maxResults"),
        [typeof(CreateServiceRequest)] = Set(
            "cluster serviceName taskDefinition availabilityZoneRebalancing loadBalancers serviceRegistries desiredCount " +
            "clientToken launchType capacityProviderStrategy platformVersion role deploymentConfiguration placementConstraints " +
            "placementStrategy networkConfiguration healthCheckGracePeriodSeconds schedulingStrategy deploymentController tags " +
            "enableECSManagedTags propagateTags enableExecuteCommand serviceConnectConfiguration volumeConfigurations " +
            "vpcLatticeConfigurations"),
        [typeof(UpdateServiceRequest)] = Set(
            "cluster service desiredCount taskDefinition capacityProviderStrategy deploymentConfiguration " +
            "availabilityZoneRebalancing networkConfiguration placementConstraints placementStrategy platformVersion " +
            "forceNewDeployment healthCheckGracePeriodSeconds deploymentController enableExecuteCommand enableECSManagedTags " +
            "loadBalancers propagateTags serviceRegistries serviceConnectConfiguration volumeConfigurations vpcLatticeConfigurations"),
        [typeof(DeleteServiceRequest)] = Set("cluster service force"),
        [typeof(DescribeServicesRequest)] = Set("cluster services include"),
        [typeof(ListServicesRequest)] = Set("cluster nextToken maxResults launchType schedulingStrategy resourceManagementType"),
        [typeof(ListServiceDeploymentsRequest)] = Set("service cluster status createdAt nextToken maxResults"),
        [typeof(DescribeServiceDeploymentsRequest)] = Set("serviceDeploymentArns"),
        [typeof(DescribeServiceRevisionsRequest)] = Set("serviceRevisionArns"),
        [typeof(StopServiceDeploymentRequest)] = Set("serviceDeploymentArn stopType"),
        [typeof(UpdateTaskProtectionRequest)] = Set("cluster tasks protectionEnabled expiresInMinutes"),
        [typeof(GetTaskProtectionRequest)] = Set("cluster tasks"),
        [typeof(PutAccountSettingRequest)] = Set("name value principalArn"),
        [typeof(PutAccountSettingDefaultRequest)] = Set("name value"),
        [typeof(DeleteAccountSettingRequest)] = Set("name principalArn"),
        [typeof(ListAccountSettingsRequest)] = Set("name value principalArn effectiveSettings nextToken maxResults"),
        [typeof(DeleteTaskDefinitionsRequest)] = Set("taskDefinitions"),
        [typeof(ListServicesByNamespaceRequest)] = Set("namespace nextToken maxResults"),
        [typeof(DescribeCapacityProvidersRequest)] = Set("capacityProviders cluster include maxResults nextToken"),
        [typeof(UpdateClusterRequest)] = Set("cluster settings configuration serviceConnectDefaults"),
        [typeof(UpdateClusterSettingsRequest)] = Set("cluster settings"),
        [typeof(CreateCapacityProviderRequest)] = Set("name cluster autoScalingGroupProvider managedInstancesProvider tags"),
        [typeof(UpdateCapacityProviderRequest)] = Set("name cluster autoScalingGroupProvider managedInstancesProvider"),
        [typeof(DeleteCapacityProviderRequest)] = Set("capacityProvider cluster"),
        [typeof(PutClusterCapacityProvidersRequest)] = Set("cluster capacityProviders defaultCapacityProviderStrategy"),
        [typeof(AutoScalingGroupProvider)] = Set("autoScalingGroupArn managedScaling managedTerminationProtection managedDraining"),
        [typeof(AutoScalingGroupProviderUpdate)] = Set("managedScaling managedTerminationProtection managedDraining"),
        [typeof(ManagedScaling)] = Set("status targetCapacity minimumScalingStepSize maximumScalingStepSize instanceWarmupPeriod"),
        [typeof(CapacityProviderStrategyItem)] = Set("capacityProvider weight base"),
        [typeof(TagResourceRequest)] = Set("resourceArn tags"),
        [typeof(UntagResourceRequest)] = Set("resourceArn tagKeys"),
        [typeof(ListTagsForResourceRequest)] = Set("resourceArn"),

        [typeof(ContainerDefinition)] = Set(
            "name image repositoryCredentials cpu memory memoryReservation links portMappings essential restartPolicy " +
            "entryPoint command environment environmentFiles mountPoints volumesFrom linuxParameters secrets dependsOn " +
            "startTimeout stopTimeout versionConsistency hostname user workingDirectory disableNetworking privileged " +
            "readonlyRootFilesystem dnsServers dnsSearchDomains extraHosts dockerSecurityOptions interactive " +
            "pseudoTerminal dockerLabels ulimits logConfiguration healthCheck systemControls resourceRequirements " +
            "firelensConfiguration credentialSpecs"),
        [typeof(PortMapping)] = Set("containerPort hostPort protocol name appProtocol containerPortRange"),
        [typeof(Volume)] = Set(
            "name host dockerVolumeConfiguration efsVolumeConfiguration s3filesVolumeConfiguration " +
            "fsxWindowsFileServerVolumeConfiguration configuredAtLaunch"),
        [typeof(HostVolumeProperties)] = Set("sourcePath"),
        [typeof(DockerVolumeConfiguration)] = Set("scope autoprovision driver driverOpts labels"),
        [typeof(EfsVolumeConfiguration)] = Set("fileSystemId rootDirectory transitEncryption transitEncryptionPort authorizationConfig"),
        [typeof(EfsAuthorizationConfig)] = Set("accessPointId iam"),
        [typeof(MountPoint)] = Set("sourceVolume containerPath readOnly"),
        [typeof(VolumeFrom)] = Set("sourceContainer readOnly"),
        [typeof(LinuxParameters)] = Set("capabilities devices initProcessEnabled sharedMemorySize tmpfs maxSwap swappiness"),
        [typeof(KernelCapabilities)] = Set("add drop"),
        [typeof(Tmpfs)] = Set("containerPath size mountOptions"),
        [typeof(ContainerDependency)] = Set("containerName condition"),
        [typeof(Secret)] = Set("name valueFrom"),
        [typeof(RepositoryCredentials)] = Set("credentialsParameter"),
        [typeof(HostEntry)] = Set("hostname ipAddress"),
        [typeof(Ulimit)] = Set("name softLimit hardLimit"),
        [typeof(LogConfiguration)] = Set("logDriver options secretOptions"),
        [typeof(HealthCheck)] = Set("command interval timeout retries startPeriod"),
        [typeof(ResourceRequirement)] = Set("value type"),
        [typeof(TaskOverride)] = Set(
            "containerOverrides cpu memory executionRoleArn taskRoleArn inferenceAcceleratorOverrides ephemeralStorage"),
        [typeof(ContainerOverride)] = Set(
            "name command environment environmentFiles cpu memory memoryReservation resourceRequirements"),
        [typeof(DeploymentConfiguration)] = Set(
            "deploymentCircuitBreaker maximumPercent minimumHealthyPercent alarms strategy bakeTimeInMinutes lifecycleHooks " +
            "linearConfiguration canaryConfiguration"),
        [typeof(NetworkConfiguration)] = Set("awsvpcConfiguration"),
        [typeof(AwsvpcConfiguration)] = Set("subnets securityGroups assignPublicIp"),
        [typeof(DeploymentAlarms)] = Set("alarmNames rollback enable"),
    };

    private static readonly NoOp Disabled = new("\"DISABLED\"", v => v.ValueKind == JsonValueKind.String && v.GetString() == "DISABLED");
    private static readonly NoOp False = new("false", v => v.ValueKind == JsonValueKind.False);
    private static readonly NoOp None = new("\"NONE\"", v => v.ValueKind == JsonValueKind.String && v.GetString() == "NONE");
    private static readonly NoOp Empty = new("[]", _ => false);
    private static readonly NoOp NotEnabled = new("{\"enabled\":false}",
        v => v.ValueKind == JsonValueKind.Object && v.TryGetProperty("enabled", out var enabled) && enabled.ValueKind == JsonValueKind.False);
    private static readonly NoOp EcsController = new("{\"type\":\"ECS\"}",
        v => v.ValueKind == JsonValueKind.Object && v.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String &&
             type.GetString() == "ECS" && v.EnumerateObject().Count() == 1);
    private static readonly NoOp Zero = new("0", v => v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) && n == 0);

    /// <summary>
    /// Members of AWS features a cluster without AWS does not have, and the values of them that ask for nothing: the
    /// control plane accepts those as they are and (where ECS echoes the member) answers with the same value.
    /// </summary>
    private static readonly Dictionary<Type, Dictionary<string, NoOp>> NoOps = new()
    {
        [typeof(CreateServiceRequest)] = new()
        {
            ["availabilityZoneRebalancing"] = Disabled,
            ["serviceConnectConfiguration"] = NotEnabled,
            ["volumeConfigurations"] = Empty, ["vpcLatticeConfigurations"] = Empty,
        },
        [typeof(UpdateServiceRequest)] = new()
        {
            ["availabilityZoneRebalancing"] = Disabled,
            ["serviceConnectConfiguration"] = NotEnabled,
            ["volumeConfigurations"] = Empty, ["vpcLatticeConfigurations"] = Empty, ["enableECSManagedTags"] = False,
            ["propagateTags"] = None, ["deploymentController"] = EcsController,
        },
        [typeof(RunTaskRequest)] = new()
        {
            ["enableECSManagedTags"] = False,
            ["propagateTags"] = None, ["volumeConfigurations"] = Empty,
        },
        [typeof(StartTaskRequest)] = new()
        {
            ["enableECSManagedTags"] = False, ["propagateTags"] = None, ["volumeConfigurations"] = Empty,
        },
        [typeof(RegisterTaskDefinitionRequest)] = new()
        {
            ["inferenceAccelerators"] = Empty, ["enableFaultInjection"] = False,
        },
        [typeof(DeploymentConfiguration)] = new()
        {
            ["bakeTimeInMinutes"] = Zero, ["lifecycleHooks"] = Empty,
        },
        [typeof(ContainerDefinition)] = new()
        {
            ["interactive"] = False, ["pseudoTerminal"] = False, ["disableNetworking"] = False,
        },
    };

    public static bool IsKnown(Type shape, string member) => Known.TryGetValue(shape, out var names) && names.Contains(member);

    /// <summary>Every member ECS's model gives the request shape <paramref name="shape"/> (empty when we do not list it).</summary>
    public static IReadOnlySet<string> KnownMembers(Type shape) => Known.TryGetValue(shape, out var names) ? names : new HashSet<string>();

    /// <summary>The members of <paramref name="shape"/> accepted with a value that asks for nothing, and that value.</summary>
    public static IReadOnlyDictionary<string, string> NoOpMembers(Type shape) =>
        NoOps.TryGetValue(shape, out var members) ? members.ToDictionary(m => m.Key, m => m.Value.Accepts) : new Dictionary<string, string>();

    /// <summary>Whether <paramref name="value"/> of a member the request record does not carry asks for nothing.</summary>
    internal static bool AsksForNothing(Type shape, string member, JsonElement value) =>
        value.ValueKind == JsonValueKind.Null || IsEmpty(value) ||
        (NoOps.TryGetValue(shape, out var members) && members.TryGetValue(member, out var noOp) && noOp.Matches(value));

    /// <summary>The value a member would need to be accepted, for the refusal's message.</summary>
    internal static string? AcceptedValue(Type shape, string member) =>
        NoOps.TryGetValue(shape, out var members) && members.TryGetValue(member, out var noOp) ? noOp.Accepts : null;

    internal static bool IsEmpty(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!.Length == 0,
        JsonValueKind.Array => value.GetArrayLength() == 0,
        JsonValueKind.Object => !value.EnumerateObject().Any(),
        _ => false,
    };

    private static HashSet<string> Set(string names) => new(names.Split(' ', StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);

    private sealed record NoOp(string Accepts, Func<JsonElement, bool> Matches);
}
