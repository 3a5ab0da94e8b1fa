using Orchestrator.Ecs.Model;

namespace Orchestrator.Ecs.Json;

/// <summary>
/// Every member ECS's API model defines for the request shapes we read, so that a request naming an ECS member we
/// have not built yet is told so, while a misspelt one is told it is unknown.
/// </summary>
internal static class EcsMembers
{
    private static readonly Dictionary<Type, HashSet<string>> Known = new()
    {
        [typeof(RegisterTaskDefinitionRequest)] = Set(
            "family taskRoleArn executionRoleArn networkMode containerDefinitions volumes placementConstraints " +
            "requiresCompatibilities cpu memory tags pidMode ipcMode proxyConfiguration inferenceAccelerators " +
            "ephemeralStorage runtimePlatform"),
        [typeof(ContainerDefinition)] = Set(
            "name image repositoryCredentials cpu memory memoryReservation links portMappings essential restartPolicy " +
            "entryPoint command environment environmentFiles mountPoints volumesFrom linuxParameters secrets dependsOn " +
            "startTimeout stopTimeout versionConsistency hostname user workingDirectory disableNetworking privileged " +
            "readonlyRootFilesystem dnsServers dnsSearchDomains extraHosts dockerSecurityOptions interactive " +
            "pseudoTerminal dockerLabels ulimits logConfiguration healthCheck systemControls resourceRequirements " +
            "firelensConfiguration credentialSpecs"),
        [typeof(PortMapping)] = Set("containerPort hostPort protocol name appProtocol containerPortRange"),
        [typeof(Volume)] = Set(
            "name host dockerVolumeConfiguration efsVolumeConfiguration fsxWindowsFileServerVolumeConfiguration configuredAtLaunch"),
        [typeof(HostVolumeProperties)] = Set("sourcePath"),
        [typeof(DockerVolumeConfiguration)] = Set("scope autoprovision driver driverOpts labels"),
        [typeof(MountPoint)] = Set("sourceVolume containerPath readOnly"),
        [typeof(VolumeFrom)] = Set("sourceContainer readOnly"),
        [typeof(LinuxParameters)] = Set("capabilities devices initProcessEnabled sharedMemorySize tmpfs maxSwap swappiness"),
        [typeof(KernelCapabilities)] = Set("add drop"),
        [typeof(Tmpfs)] = Set("containerPath size mountOptions"),
        [typeof(ContainerDependency)] = Set("containerName condition"),
        [typeof(Secret)] = Set("name valueFrom"),
        [typeof(HostEntry)] = Set("hostname ipAddress"),
        [typeof(Ulimit)] = Set("name softLimit hardLimit"),
        [typeof(LogConfiguration)] = Set("logDriver options secretOptions"),
        [typeof(HealthCheck)] = Set("command interval timeout retries startPeriod"),
        [typeof(ResourceRequirement)] = Set("value type"),
        [typeof(RunTaskRequest)] = Set(
            "cluster taskDefinition count group launchType capacityProviderStrategy networkConfiguration overrides " +
            "placementConstraints placementStrategy platformVersion propagateTags referenceId startedBy tags " +
            "enableECSManagedTags enableExecuteCommand clientToken volumeConfigurations"),
        [typeof(TaskOverride)] = Set(
            "containerOverrides cpu memory executionRoleArn taskRoleArn inferenceAcceleratorOverrides ephemeralStorage"),
        [typeof(ContainerOverride)] = Set(
            "name command environment environmentFiles cpu memory memoryReservation resourceRequirements"),
        [typeof(CreateClusterRequest)] = Set(
            "clusterName tags settings configuration capacityProviders defaultCapacityProviderStrategy serviceConnectDefaults"),
        [typeof(ListTasksRequest)] = Set(
            "cluster containerInstance family nextToken maxResults startedBy serviceName desiredStatus launchType"),
        [typeof(ListContainerInstancesRequest)] = Set("cluster filter nextToken maxResults status"),
        [typeof(StartTaskRequest)] = Set(
            "cluster containerInstances enableECSManagedTags enableExecuteCommand group networkConfiguration overrides " +
            "propagateTags referenceId startedBy tags taskDefinition volumeConfigurations"),
        [typeof(DescribeTaskDefinitionRequest)] = Set("taskDefinition include"),
        [typeof(CreateServiceRequest)] = Set(
            "capacityProviderStrategy clientToken cluster deploymentConfiguration deploymentController desiredCount " +
            "enableECSManagedTags enableExecuteCommand healthCheckGracePeriodSeconds launchType loadBalancers " +
            "networkConfiguration placementConstraints placementStrategy platformVersion propagateTags role " +
            "schedulingStrategy serviceConnectConfiguration serviceName serviceRegistries tags taskDefinition volumeConfigurations"),
        [typeof(UpdateServiceRequest)] = Set(
            "capacityProviderStrategy cluster deploymentConfiguration desiredCount enableECSManagedTags enableExecuteCommand " +
            "forceNewDeployment healthCheckGracePeriodSeconds loadBalancers networkConfiguration placementConstraints " +
            "placementStrategy platformVersion propagateTags service serviceConnectConfiguration serviceRegistries " +
            "taskDefinition volumeConfigurations"),
        [typeof(DeploymentConfiguration)] = Set("alarms deploymentCircuitBreaker maximumPercent minimumHealthyPercent"),
        [typeof(NetworkConfiguration)] = Set("awsvpcConfiguration"),
        [typeof(AwsvpcConfiguration)] = Set("subnets securityGroups assignPublicIp"),
    };

    public static bool IsKnown(Type shape, string member) => Known.TryGetValue(shape, out var names) && names.Contains(member);

    private static HashSet<string> Set(string names) => new(names.Split(' ', StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);
}
