using Orchestrator.Agent.Docker;
using Orchestrator.Agent.Engine;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Agent.Tests.Engine;

public sealed class ContainerSpecBuilderTests
{
    private const string TaskArn = "arn:aws:ecs:us-east-1:000000000000:task/prod/abc";
    private const string ClusterArn = "arn:aws:ecs:us-east-1:000000000000:cluster/prod";
    private const string InstanceArn = "arn:aws:ecs:us-east-1:000000000000:container-instance/prod/def";

    private static readonly ContainerDefinition Web = new()
    {
        Name = "web",
        Image = "nginx:1.27",
        Cpu = 256,
        Memory = 512,
        MemoryReservation = 128,
        EntryPoint = ["/docker-entrypoint.sh"],
        Command = ["nginx", "-g", "daemon off;"],
        Environment = [new("MODE", "prod"), new("LEVEL", "info")],
        PortMappings = [new PortMapping { ContainerPort = 80, HostPort = 0 }, new PortMapping { ContainerPort = 53, HostPort = 5353, Protocol = "udp" }],
    };

    private static readonly TaskDefinition Definition = new() { Family = "site", Revision = 7, ContainerDefinitions = [Web] };

    [Fact]
    public void Build_Secrets_AreSetLast_AfterEnvironmentAndOverrides()
    {
        var overrides = new TaskOverride { ContainerOverrides = [new ContainerOverride { Name = "web", Environment = [new("LEVEL", "debug"), new("TOKEN", "from-override")] }] };
        var context = new ContainerContext { Secrets = [new("TOKEN", "from-secret"), new("DB", "pw")] };

        var spec = ContainerSpecBuilder.Build(Definition, Web, overrides, "n", TaskArn, ClusterArn, InstanceArn, context);

        Assert.Equal(["MODE=prod", "LEVEL=debug", "TOKEN=from-secret", "DB=pw"], spec.Environment);
    }

    [Fact]
    public void Build_ContainerDefinition_MapsEveryMember()
    {
        var spec = ContainerSpecBuilder.Build(Definition, Web, overrides: null, "ecs-site-7-web-00", TaskArn, ClusterArn, InstanceArn);

        Assert.Equal("ecs-site-7-web-00", spec.Name);
        Assert.Equal("nginx:1.27", spec.Image);
        Assert.Equal(["/docker-entrypoint.sh"], spec.EntryPoint);
        Assert.Equal(["nginx", "-g", "daemon off;"], spec.Command);
        Assert.Equal(["MODE=prod", "LEVEL=info"], spec.Environment);
        Assert.Equal(256, spec.CpuShares);
        Assert.Equal(512L * 1024 * 1024, spec.MemoryBytes);
        Assert.Equal(128L * 1024 * 1024, spec.MemoryReservationBytes);
        Assert.Equal("bridge", spec.NetworkMode);
        Assert.Equal([new PortSpec(80, null, "tcp"), new PortSpec(53, 5353, "udp")], spec.Ports);
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["com.amazonaws.ecs.task-arn"] = TaskArn,
                ["com.amazonaws.ecs.container-name"] = "web",
                ["com.amazonaws.ecs.task-definition-family"] = "site",
                ["com.amazonaws.ecs.task-definition-version"] = "7",
                ["com.amazonaws.ecs.cluster"] = "prod",
                ["com.amazonaws.ecs.container-instance-arn"] = InstanceArn,
            },
            spec.Labels);
    }

    [Fact]
    public void Build_Overrides_ReplaceCommandAndMergeEnvironment()
    {
        var overrides = new TaskOverride
        {
            ContainerOverrides = [new ContainerOverride { Name = "web", Command = ["sh"], Environment = [new("LEVEL", "debug"), new("EXTRA", "1")] }],
        };

        var spec = ContainerSpecBuilder.Build(Definition, Web, overrides, "n", TaskArn, ClusterArn, InstanceArn);

        Assert.Equal(["sh"], spec.Command);
        Assert.Equal(["MODE=prod", "LEVEL=debug", "EXTRA=1"], spec.Environment);
    }

    [Theory]
    [InlineData(0, 2)]
    [InlineData(1, 2)]
    [InlineData(2, 2)]
    [InlineData(1024, 1024)]
    public void Build_Cpu_AtLeastTwoShares(int cpu, long expected)
    {
        var spec = ContainerSpecBuilder.Build(Definition, Web with { Cpu = cpu }, null, "n", TaskArn, ClusterArn, InstanceArn);

        Assert.Equal(expected, spec.CpuShares);
    }

    [Fact]
    public void Build_NoMemoryLimits_Zero()
    {
        var spec = ContainerSpecBuilder.Build(Definition, Web with { Memory = null, MemoryReservation = null }, null, "n", TaskArn, ClusterArn, null);

        Assert.Equal(0, spec.MemoryBytes);
        Assert.Equal(0, spec.MemoryReservationBytes);
        Assert.False(spec.Labels.ContainsKey(ContainerSpecBuilder.ContainerInstanceLabel));
    }

    [Fact]
    public void NewDockerName_Twice_EcsShapeAndDifferent()
    {
        var first = ContainerSpecBuilder.NewDockerName(Definition, "web");
        var second = ContainerSpecBuilder.NewDockerName(Definition, "web");

        Assert.Matches("^ecs-site-7-web-[0-9a-f]{20}$", first);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void ToCreateParameters_BridgeDynamicPort_EmptyHostPortSoDockerPicks()
    {
        var spec = ContainerSpecBuilder.Build(Definition, Web, null, "n", TaskArn, ClusterArn, InstanceArn);

        var parameters = DockerDriver.ToCreateParameters(spec);

        Assert.Equal("", Assert.Single(parameters.HostConfig!.PortBindings["80/tcp"]).HostPort);
        Assert.Equal("5353", Assert.Single(parameters.HostConfig!.PortBindings["53/udp"]).HostPort);
        Assert.Contains("80/tcp", parameters.ExposedPorts!.Keys);
        Assert.Equal(256, parameters.HostConfig!.CPUShares);
    }

    [Theory]
    [InlineData("busybox", "busybox", "latest")]
    [InlineData("local/busybox:1", "local/busybox", "1")]
    [InlineData("127.0.0.1:5999/missing/image:1", "127.0.0.1:5999/missing/image", "1")]
    [InlineData("127.0.0.1:5999/missing/image", "127.0.0.1:5999/missing/image", "latest")]
    [InlineData("repo@sha256:abc", "repo", "sha256:abc")]
    public void ImageReference_Split_RepositoryAndTag(string image, string repository, string tag) =>
        Assert.Equal((repository, tag), ImageReference.Split(image));
}
