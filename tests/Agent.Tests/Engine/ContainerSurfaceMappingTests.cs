using CreateContainerParameters = Docker.DotNet.Models.CreateContainerParameters;
using Orchestrator.Agent.Docker;
using Orchestrator.Agent.Engine;
using Orchestrator.Agent.State;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Agent.Tests.Engine;

/// <summary>Each container-definition field, through <see cref="ContainerSpecBuilder"/>, to Docker's create parameters.</summary>
public sealed class ContainerSurfaceMappingTests
{
    private const string TaskArn = "arn:aws:ecs:us-east-1:000000000000:task/prod/0123456789abcdef0123456789abcdef";
    private const string ClusterArn = "arn:aws:ecs:us-east-1:000000000000:cluster/prod";

    private static readonly ContainerDefinition Plain = new() { Name = "web", Image = "local/busybox:1", Memory = 64 };

    private static TaskDefinition Task(ContainerDefinition container, string networkMode = NetworkModes.Bridge, params Volume[] volumes) => new()
    {
        Family = "shop",
        Revision = 4,
        NetworkMode = networkMode,
        Volumes = volumes,
        ContainerDefinitions = [container, new ContainerDefinition { Name = "db", Image = "db:1", Memory = 64 }],
    };

    private static CreateContainerParameters Create(ContainerDefinition container, ContainerContext? context = null, string networkMode = NetworkModes.Bridge, params Volume[] volumes)
    {
        var spec = ContainerSpecBuilder.Build(Task(container, networkMode, volumes), container, null, "ecs-shop-4-web-00", TaskArn, ClusterArn, null, context);
        return DockerDriver.ToCreateParameters(spec);
    }

    [Fact]
    public void HostVolume_BindsHostPathReadOnlyWhenAsked()
    {
        var container = Plain with
        {
            MountPoints = [new MountPoint { SourceVolume = "logs", ContainerPath = "/logs", ReadOnly = true }, new MountPoint { SourceVolume = "conf", ContainerPath = "/etc/app" }],
        };

        var parameters = Create(container, volumes: [
            new Volume { Name = "logs", Host = new HostVolumeProperties { SourcePath = "/var/log/shop" } },
            new Volume { Name = "conf", Host = new HostVolumeProperties { SourcePath = "/srv/conf" } }]);

        Assert.Equal(["/var/log/shop:/logs:ro", "/srv/conf:/etc/app"], parameters.HostConfig!.Binds);
    }

    [Fact]
    public void TaskScopedAndScratchVolumes_NamedForTheTaskCreatedAndLabelled()
    {
        var container = Plain with
        {
            MountPoints = [new MountPoint { SourceVolume = "scratch", ContainerPath = "/tmp/s" }, new MountPoint { SourceVolume = "data", ContainerPath = "/data" }],
        };
        var definition = Task(container, NetworkModes.Bridge,
            new Volume { Name = "scratch" },
            new Volume
            {
                Name = "data",
                DockerVolumeConfiguration = new DockerVolumeConfiguration
                {
                    Driver = "local",
                    DriverOpts = new Dictionary<string, string> { ["type"] = "tmpfs", ["device"] = "tmpfs" },
                    Labels = new Dictionary<string, string> { ["team"] = "shop" },
                },
            });

        var spec = ContainerSpecBuilder.Build(definition, container, null, "n", TaskArn, ClusterArn, null);

        Assert.Equal(["ecs-shop-4-scratch-0123456789abcdef0123456789abcdef:/tmp/s", "ecs-shop-4-data-0123456789abcdef0123456789abcdef:/data"], spec.Binds);
        var data = spec.Volumes.Single(v => v.Name.Contains("-data-", StringComparison.Ordinal));
        Assert.True(data.TaskScoped);
        Assert.True(data.CreateIfMissing);
        Assert.Equal("tmpfs", data.DriverOptions["type"]);
        Assert.Equal("shop", data.Labels["team"]);
        Assert.Equal(TaskArn, data.Labels[ContainerSpecBuilder.TaskArnLabel]);
        Assert.Equal(
            ["ecs-shop-4-scratch-0123456789abcdef0123456789abcdef", "ecs-shop-4-data-0123456789abcdef0123456789abcdef"],
            TaskVolumes.TaskScopedNames(definition, TaskArn));
        var parameters = DockerDriver.ToVolumeParameters(data);
        Assert.Equal("local", parameters.Driver);
        Assert.Equal("tmpfs", parameters.DriverOpts["device"]);
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, false)]
    [InlineData(null, false)]
    public void SharedVolume_UsesItsOwnNameKeptAfterTheTaskCreatedOnlyWithAutoprovision(bool? autoprovision, bool created)
    {
        var container = Plain with { MountPoints = [new MountPoint { SourceVolume = "cache", ContainerPath = "/cache" }] };
        var volume = new Volume
        {
            Name = "cache",
            DockerVolumeConfiguration = new DockerVolumeConfiguration { Scope = VolumeScopes.Shared, Autoprovision = autoprovision, Driver = "local" },
        };

        var spec = ContainerSpecBuilder.Build(Task(container, NetworkModes.Bridge, volume), container, null, "n", TaskArn, ClusterArn, null);

        Assert.Equal(["cache:/cache"], spec.Binds);
        var docker = Assert.Single(spec.Volumes);
        Assert.Equal("cache", docker.Name);
        Assert.False(docker.TaskScoped);
        Assert.Equal(created, docker.CreateIfMissing);
        Assert.DoesNotContain(ContainerSpecBuilder.TaskArnLabel, docker.Labels.Keys);
        Assert.Empty(TaskVolumes.TaskScopedNames(Task(container, NetworkModes.Bridge, volume), TaskArn));
    }

    [Fact]
    public void VolumesFromAndLinks_ByTheOtherContainersDockerNames()
    {
        var container = Plain with
        {
            VolumesFrom = [new VolumeFrom { SourceContainer = "db", ReadOnly = true }],
            Links = ["db:database", "db"],
        };
        var context = new ContainerContext { DockerNames = new Dictionary<string, string> { ["db"] = "ecs-shop-4-db-11" } };

        var parameters = Create(container, context);

        Assert.Equal(["ecs-shop-4-db-11:ro"], parameters.HostConfig!.VolumesFrom);
        Assert.Equal(["ecs-shop-4-db-11:database", "ecs-shop-4-db-11:db"], parameters.HostConfig!.Links);
    }

    [Fact]
    public void HostSettings_MappedOneToOne()
    {
        var container = Plain with
        {
            ExtraHosts = [new HostEntry { Hostname = "api", IpAddress = "10.0.0.9" }],
            DnsServers = ["10.0.0.2", "10.0.0.3"],
            Ulimits = [new Ulimit { Name = "nofile", SoftLimit = 1024, HardLimit = 4096 }],
            Privileged = true,
            ReadonlyRootFilesystem = true,
            User = "1000:1000",
            WorkingDirectory = "/srv",
            Hostname = "web-1",
        };

        var parameters = Create(container);

        Assert.Equal(["api:10.0.0.9"], parameters.HostConfig!.ExtraHosts);
        Assert.Equal(["10.0.0.2", "10.0.0.3"], parameters.HostConfig!.DNS);
        var ulimit = Assert.Single(parameters.HostConfig!.Ulimits);
        Assert.Equal(("nofile", 1024L, 4096L), (ulimit.Name, ulimit.Soft, ulimit.Hard));
        Assert.True(parameters.HostConfig!.Privileged);
        Assert.True(parameters.HostConfig!.ReadonlyRootfs);
        Assert.Equal("1000:1000", parameters.User);
        Assert.Equal("/srv", parameters.WorkingDir);
        Assert.Equal("web-1", parameters.Hostname);
    }

    [Fact]
    public void Unset_LeavesDockerDefaults()
    {
        var parameters = Create(Plain);

        Assert.Null(parameters.HostConfig!.Binds);
        Assert.Null(parameters.HostConfig!.VolumesFrom);
        Assert.Null(parameters.HostConfig!.Links);
        Assert.Null(parameters.HostConfig!.Ulimits);
        Assert.Null(parameters.HostConfig!.CapAdd);
        Assert.Null(parameters.HostConfig!.Init);
        Assert.Equal(0, parameters.HostConfig!.ShmSize);
        Assert.Null(parameters.HostConfig!.Tmpfs);
        Assert.Null(parameters.HostConfig!.LogConfig);
        Assert.Null(parameters.HostConfig!.DeviceRequests);
        Assert.Null(parameters.Healthcheck);
        Assert.Null(parameters.User);
        Assert.Null(parameters.Hostname);
        Assert.False(parameters.HostConfig!.Privileged);
    }

    [Fact]
    public void DockerLabels_KeptButOursWin()
    {
        var container = Plain with
        {
            DockerLabels = new Dictionary<string, string> { ["app"] = "shop", [ContainerSpecBuilder.TaskArnLabel] = "forged", [ContainerSpecBuilder.ContainerInstanceLabel] = "forged" },
        };

        var parameters = Create(container);

        Assert.Equal("shop", parameters.Labels["app"]);
        Assert.Equal(TaskArn, parameters.Labels[ContainerSpecBuilder.TaskArnLabel]);
        Assert.False(parameters.Labels.ContainsKey(ContainerSpecBuilder.ContainerInstanceLabel));
    }

    [Fact]
    public void LinuxParameters_CapabilitiesInitShmAndTmpfs()
    {
        var container = Plain with
        {
            LinuxParameters = new LinuxParameters
            {
                Capabilities = new KernelCapabilities { Add = ["NET_ADMIN", "SYS_PTRACE"], Drop = ["MKNOD"] },
                InitProcessEnabled = true,
                SharedMemorySize = 128,
                Tmpfs = [new Tmpfs { ContainerPath = "/run", Size = 64, MountOptions = ["noexec", "nosuid"] }, new Tmpfs { ContainerPath = "/scratch", Size = 8 }],
            },
        };

        var parameters = Create(container);

        Assert.Equal(["NET_ADMIN", "SYS_PTRACE"], parameters.HostConfig!.CapAdd);
        Assert.Equal(["MKNOD"], parameters.HostConfig!.CapDrop);
        Assert.True(parameters.HostConfig!.Init);
        Assert.Equal(128L * 1024 * 1024, parameters.HostConfig!.ShmSize);
        Assert.Equal("noexec,nosuid,size=64m", parameters.HostConfig!.Tmpfs!["/run"]);
        Assert.Equal("size=8m", parameters.HostConfig!.Tmpfs!["/scratch"]);
    }

    [Fact]
    public void LogConfiguration_DriverAndOptions()
    {
        var container = Plain with
        {
            LogConfiguration = new LogConfiguration { LogDriver = "json-file", Options = new Dictionary<string, string> { ["max-size"] = "1m", ["max-file"] = "2" } },
        };

        var log = Create(container).HostConfig!.LogConfig!;

        Assert.Equal("json-file", log.Type);
        Assert.Equal(new Dictionary<string, string> { ["max-size"] = "1m", ["max-file"] = "2" }, log.Config);
    }

    [Fact]
    public void LogConfiguration_SecretOptions_AreAddedToTheDriverOptions_ButNotToTheSpecsText()
    {
        var container = Plain with
        {
            LogConfiguration = new LogConfiguration
            {
                LogDriver = "json-file",
                Options = new Dictionary<string, string> { ["max-size"] = "1m" },
                SecretOptions = [new Secret("tag", "log-tag")],
            },
        };
        var context = new ContainerContext { LogSecretOptions = new Dictionary<string, string> { ["tag"] = "from-the-store" } };

        var spec = ContainerSpecBuilder.Build(Task(container), container, null, "ecs-shop-4-web-00", TaskArn, ClusterArn, null, context);
        var log = DockerDriver.ToCreateParameters(spec).HostConfig!.LogConfig!;

        Assert.Equal(new Dictionary<string, string> { ["max-size"] = "1m", ["tag"] = "from-the-store" }, log.Config);
        Assert.DoesNotContain("from-the-store", spec.Log!.ToString(), StringComparison.Ordinal);
    }

    public static TheoryData<string[]> HealthCommands => new()
    {
        new[] { "CMD-SHELL", "curl -f http://localhost/ || exit 1" },
        new[] { "CMD", "/bin/check", "--quick" },
    };

    [Theory]
    [MemberData(nameof(HealthCommands))]
    public void HealthCheck_CommandAsGivenSecondsAsDurations(string[] command)
    {
        var container = Plain with { HealthCheck = new HealthCheck { Command = command, Interval = 10, Timeout = 3, Retries = 2, StartPeriod = 20 } };

        var check = Create(container).Healthcheck!;

        Assert.Equal(command, check.Test);
        Assert.Equal(TimeSpan.FromSeconds(10), check.Interval);
        Assert.Equal(TimeSpan.FromSeconds(3), check.Timeout);
        Assert.Equal(2, check.Retries);
        Assert.Equal(TimeSpan.FromSeconds(20), check.StartPeriod);
    }

    [Fact]
    public void HealthCheck_Unset_EcsDefaults()
    {
        var container = Plain with { HealthCheck = new HealthCheck { Command = ["CMD", "true"] } };

        var check = Create(container).Healthcheck!;

        Assert.Equal((TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5), 3L, TimeSpan.Zero), (check.Interval, check.Timeout, check.Retries, check.StartPeriod));
    }

    [Fact]
    public void Gpus_DeviceRequestForTheIdsPlacementChose()
    {
        var container = Plain with { ResourceRequirements = [new ResourceRequirement { Type = ResourceTypes.Gpu, Value = "2" }] };

        var request = Assert.Single(Create(container, new ContainerContext { GpuIds = ["GPU-aaa", "GPU-bbb"] }).HostConfig!.DeviceRequests);

        Assert.Equal("nvidia", request.Driver);
        Assert.Equal(["GPU-aaa", "GPU-bbb"], request.DeviceIDs);
        Assert.Equal([["gpu"]], request.Capabilities);
    }

    [Fact]
    public void BridgeDynamicPort_PublishedOnTheHostPortTheAgentPicked()
    {
        var container = Plain with
        {
            PortMappings = [new PortMapping { ContainerPort = 80 }, new PortMapping { ContainerPort = 53, Protocol = "udp", HostPort = 0 }, new PortMapping { ContainerPort = 443, HostPort = 8443 }],
        };
        var context = new ContainerContext { HostPorts = [new PortAssignment(80, "tcp", 49200), new PortAssignment(53, "udp", 49201)] };

        var bindings = Create(container, context).HostConfig!.PortBindings!;

        Assert.Equal("49200", Assert.Single(bindings["80/tcp"]).HostPort);
        Assert.Equal("49201", Assert.Single(bindings["53/udp"]).HostPort);
        Assert.Equal("8443", Assert.Single(bindings["443/tcp"]).HostPort);
    }

    [Fact]
    public void HostMode_HostNetworkNothingPublished()
    {
        var container = Plain with { PortMappings = [new PortMapping { ContainerPort = 8080 }] };

        var parameters = Create(container, networkMode: NetworkModes.Host);

        Assert.Equal("host", parameters.HostConfig!.NetworkMode);
        Assert.Null(parameters.HostConfig!.PortBindings);
        Assert.Contains("8080/tcp", parameters.ExposedPorts!.Keys);
    }

    [Fact]
    public void NoneMode_NoNetwork()
    {
        var parameters = Create(Plain, networkMode: NetworkModes.None);

        Assert.Equal("none", parameters.HostConfig!.NetworkMode);
        Assert.Null(parameters.HostConfig!.PortBindings);
    }

    [Fact]
    public void WindowsDefaultMode_NatNetworkPortsPublished()
    {
        var container = Plain with { PortMappings = [new PortMapping { ContainerPort = 80 }] };
        var context = new ContainerContext
        {
            Networking = NetworkModeMapping.Map(NetworkModes.Bridge, "windows").Networking,
            HostPorts = [new PortAssignment(80, "tcp", 49153)],
        };

        var parameters = Create(container, context);

        Assert.Equal("nat", parameters.HostConfig!.NetworkMode);
        Assert.Equal("49153", Assert.Single(parameters.HostConfig!.PortBindings["80/tcp"]).HostPort);
    }
}
