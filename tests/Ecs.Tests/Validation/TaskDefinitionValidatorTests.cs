using Orchestrator.Ecs.Json;
using Orchestrator.Ecs.Model;
using Orchestrator.Ecs.Validation;

namespace Orchestrator.Ecs.Tests.Validation;

public sealed class TaskDefinitionValidatorTests
{
    private const string Valid = """
        {"family":"web","containerDefinitions":[{"name":"web","image":"local/busybox:1","memory":64,
         "portMappings":[{"containerPort":80,"hostPort":0}]}]}
        """;

    public static TheoryData<string, string> Invalid => new()
    {
        { """{"containerDefinitions":[{"name":"a","image":"i","memory":64}]}""", "Family can not be blank." },
        { """{"family":"bad name","containerDefinitions":[{"name":"a","image":"i","memory":64}]}""", "Family contains invalid characters." },
        { $$"""{"family":"{{new string('f', 256)}}","containerDefinitions":[{"name":"a","image":"i","memory":64}]}""", "Family contains invalid characters." },
        { """{"family":"f","containerDefinitions":[]}""", "Container definitions can not be empty." },
        { """{"family":"f","containerDefinitions":[{"name":"a","memory":64}]}""", "Container.image should not be null or empty." },
        { """{"family":"f","containerDefinitions":[{"name":"a","image":"","memory":64}]}""", "Container.image should not be null or empty." },
        { """{"family":"f","containerDefinitions":[{"name":"a b","image":"i","memory":64}]}""", "Container.name contains invalid characters." },
        { """{"family":"f","containerDefinitions":[{"image":"i","memory":64}]}""", "Container.name should not be null or empty." },
        { """{"family":"f","containerDefinitions":[{"name":"a","image":"i"}]}""", "Invalid setting for container 'a'. At least one of 'memory' or 'memoryReservation' must be specified." },
        { """{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64,"memoryReservation":128}]}""", "Invalid setting for container 'a'. 'memory' must be greater than or equal to 'memoryReservation'." },
        { """{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":4}]}""", "Invalid 'memory' setting for container 'a'. The minimum is 6 MiB." },
        { """{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64,"essential":false}]}""", "A task definition must have at least one essential container." },
        { """{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64},{"name":"a","image":"i","memory":64}]}""", "Duplicate container name 'a'. Container names must be unique within a task definition." },
        { """{"family":"f","networkMode":"host","containerDefinitions":[{"name":"a","image":"i","memory":64,"portMappings":[{"containerPort":80,"hostPort":81}]}]}""", "When networkMode=host, the host ports and container ports in port mappings must match." },
        { """{"family":"f","networkMode":"none","containerDefinitions":[{"name":"a","image":"i","memory":64,"portMappings":[{"containerPort":80}]}]}""", "Port mappings are not supported when networkMode=none." },
        { """{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64,"portMappings":[{"containerPort":0}]}]}""", "Invalid port mapping for container 'a'. containerPort must be between 1 and 65535." },
        { """{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64,"portMappings":[{"containerPort":80,"protocol":"sctp"}]}]}""", "Invalid protocol 'sctp' in a port mapping of container 'a'. Valid values: tcp, udp." },
        { """{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64,"portMappings":[{"containerPort":80,"hostPort":8080}]},{"name":"b","image":"i","memory":64,"portMappings":[{"containerPort":81,"hostPort":8080}]}]}""", "Host port 8080/tcp is mapped more than once in the task definition." },
        { """{"family":"f","networkMode":"overlay","containerDefinitions":[{"name":"a","image":"i","memory":64}]}""", "Invalid networkMode 'overlay'. Valid values: bridge, host, awsvpc, none." },
        { """{"family":"f","memory":"128","containerDefinitions":[{"name":"a","image":"i","memory":256}]}""", "Invalid setting for container 'a'. Its memory must not exceed the task's memory (128 MiB)." },
        { """{"family":"f","cpu":"64","containerDefinitions":[{"name":"a","image":"i","memory":64}]}""", "Invalid 'cpu' setting for task. It must be between 128 and 196608 CPU units (0.125 to 192 vCPU)." },
        { """{"family":"f","requiresCompatibilities":["FARGATE"],"containerDefinitions":[{"name":"a","image":"i","memory":64}]}""", "requiresCompatibilities FARGATE is not available: tasks run on registered container instances (EC2 or EXTERNAL)." },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Validate_InvalidDefinition_FailsWithEcsMessage(string json, string message)
    {
        var error = Assert.Throws<EcsException>(() => TaskDefinitionValidator.Validate(EcsRequestReader.Read<RegisterTaskDefinitionRequest>(json)));

        Assert.Equal(EcsErrors.Client, error.ErrorType);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Validate_TooManyContainers_FailsAsEcsDoes()
    {
        var containers = string.Join(",", Enumerable.Range(0, 11).Select(i => $$"""{"name":"c{{i}}","image":"i","memory":64}"""));
        var json = $$"""{"family":"f","containerDefinitions":[{{containers}}]}""";

        var error = Assert.Throws<EcsException>(() => TaskDefinitionValidator.Validate(EcsRequestReader.Read<RegisterTaskDefinitionRequest>(json)));

        Assert.Equal("Too many containers.", error.Message);
    }

    [Fact]
    public void Validate_ValidDefinition_IsAccepted()
    {
        var request = TaskDefinitionValidator.Validate(EcsRequestReader.Read<RegisterTaskDefinitionRequest>(Valid));

        Assert.Equal("web", request.Family);
        Assert.Equal(0, request.ContainerDefinitions![0].PortMappings![0].HostPort);
    }

    [Theory]
    [InlineData("1024", 1024)]
    [InlineData("1 vCPU", 1024)]
    [InlineData("0.5 vcpu", 512)]
    [InlineData("256", 256)]
    public void ParseCpu_EcsForms_GiveCpuUnits(string value, int units)
    {
        Assert.Equal(units, TaskDefinitionValidator.ParseCpu(value));
    }

    [Theory]
    [InlineData("512", 512)]
    [InlineData("1GB", 1024)]
    [InlineData("0.5 GB", 512)]
    public void ParseMemory_EcsForms_GiveMiB(string value, int mib)
    {
        Assert.Equal(mib, TaskDefinitionValidator.ParseMemory(value));
    }

    [Fact]
    public void Requirements_TaskLevelWinsElseContainerSum()
    {
        var definition = new TaskDefinition
        {
            Family = "f",
            ContainerDefinitions =
            [
                new ContainerDefinition { Name = "a", Cpu = 100, Memory = 64, PortMappings = [new PortMapping { ContainerPort = 80, HostPort = 8080 }] },
                new ContainerDefinition { Name = "b", Cpu = 50, MemoryReservation = 32, PortMappings = [new PortMapping { ContainerPort = 53, HostPort = 5353, Protocol = "udp" }, new PortMapping { ContainerPort = 81 }] },
            ],
        };

        var fromContainers = TaskRequirements.Of(definition);
        var fromTask = TaskRequirements.Of(definition with { Cpu = "1024", Memory = "2048" });

        Assert.Equal((150, 96), (fromContainers.Cpu, fromContainers.MemoryMiB));
        Assert.Equal([8080], fromContainers.TcpPorts);
        Assert.Equal([5353], fromContainers.UdpPorts);
        Assert.Equal((1024, 2048), (fromTask.Cpu, fromTask.MemoryMiB));
    }

    [Theory]
    [InlineData("cpu", "99999999999")]
    [InlineData("cpu", "2147483648")]
    [InlineData("cpu", "99999999999999999999999999999999999")]
    [InlineData("cpu", "9999999 vCPU")]
    [InlineData("memory", "99999999999")]
    [InlineData("memory", "99999999999999999999999999999999999 GB")]
    [InlineData("memory", "3000000 GB")]
    public void ParseCpuOrMemory_BeyondInt_IsAClientError(string setting, string value)
    {
        var error = Assert.Throws<EcsException>(() => setting == "cpu" ? TaskDefinitionValidator.ParseCpu(value) : TaskDefinitionValidator.ParseMemory(value));

        Assert.Equal(EcsErrors.Client, error.ErrorType);
        Assert.StartsWith($"Invalid '{setting}' setting for task", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseMemory_HugeValue_IsEchoedCut()
    {
        var error = Assert.Throws<EcsException>(() => TaskDefinitionValidator.ParseMemory(new string('x', 100_000)));

        Assert.True(error.Message.Length < 300, error.Message);
    }
}
