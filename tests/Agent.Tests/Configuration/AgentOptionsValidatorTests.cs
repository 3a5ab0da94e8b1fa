using Orchestrator.Agent.Configuration;

namespace Orchestrator.Agent.Tests.Configuration;

public sealed class AgentOptionsValidatorTests
{
    [Fact]
    public void Validate_SeveralControlPlanes_SucceedAndAreListedInOrder()
    {
        var options = new AgentOptions { Endpoint = "http://10.0.0.1:7070, http://10.0.0.2:7070,http://10.0.0.3:7070" };

        var result = new AgentOptionsValidator().Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
        Assert.Equal(["http://10.0.0.1:7070", "http://10.0.0.2:7070", "http://10.0.0.3:7070"], options.Endpoints);
    }

    [Fact]
    public void Connection_MoveToNext_GoesRoundTheControlPlanes_AndNotWithOnlyOne()
    {
        using var several = new Orchestrator.Agent.Security.ControlPlaneConnection(
            Microsoft.Extensions.Options.Options.Create(new AgentOptions { Endpoint = "http://10.0.0.1:7070,http://10.0.0.2:7070" }), null,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<Orchestrator.Agent.Security.ControlPlaneConnection>.Instance);
        using var one = new Orchestrator.Agent.Security.ControlPlaneConnection(
            Microsoft.Extensions.Options.Options.Create(new AgentOptions { Endpoint = "http://10.0.0.1:7070" }), null,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<Orchestrator.Agent.Security.ControlPlaneConnection>.Instance);

        Assert.Equal("http://10.0.0.1:7070", several.Endpoint);
        Assert.True(several.MoveToNext());
        Assert.Equal("http://10.0.0.2:7070", several.Endpoint);
        Assert.True(several.MoveToNext());
        Assert.Equal("http://10.0.0.1:7070", several.Endpoint);
        Assert.False(one.MoveToNext());
        Assert.Equal("http://10.0.0.1:7070", one.Endpoint);
    }

    [Fact]
    public void Validate_Defaults_Succeed()
    {
        var result = new AgentOptionsValidator().Validate(null, new AgentOptions());

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    public static TheoryData<string, Action<AgentOptions>, string> Invalid => new()
    {
        { "endpoint not a URL", o => o.Endpoint = "localhost:7070", "Agent:Endpoint (--endpoint, ORCH_ENDPOINT)" },
        { "endpoint ftp", o => o.Endpoint = "ftp://host", "Agent:Endpoint" },
        { "endpoints mixing http and https", o => o.Endpoint = "http://a:7070,https://b:7070", "all http or all https" },
        { "one of several endpoints not a URL", o => o.Endpoint = "http://a:7070,b:7070", "Agent:Endpoint" },
        { "cluster with space", o => o.Cluster = "my cluster", "Agent:Cluster (--cluster, ORCH_CLUSTER)" },
        { "cluster empty", o => o.Cluster = "", "Agent:Cluster" },
        { "docker host relative", o => o.DockerHost = "/var/run/docker.sock", "Agent:DockerHost (--docker-host, ORCH_DOCKER_HOST)" },
        { "data dir empty", o => o.DataDir = " ", "Agent:DataDir (--data-dir, ORCH_DATA_DIR)" },
        { "reserved memory negative", o => o.ReservedMemoryMiB = -1, "Agent:ReservedMemoryMiB" },
        { "port out of range", o => o.ReservedPorts = "22,70000", "Agent:ReservedPorts must be a comma-separated list of ports: '70000'" },
        { "udp port not a number", o => o.ReservedPortsUdp = "dns", "Agent:ReservedPortsUdp" },
        { "attribute name", o => o.Attributes = "bad name=1", "Agent:Attributes (--attribute, ORCH_ATTRIBUTES)" },
        { "attribute value", o => o.Attributes = "zone=a;b", "the value of 'zone' is not valid" },
        { "stop timeout zero", o => o.StopTimeout = TimeSpan.Zero, "Agent:StopTimeout" },
        { "heartbeat negative", o => o.HeartbeatInterval = TimeSpan.FromSeconds(-1), "Agent:HeartbeatInterval" },
        { "cleanup zero", o => o.TaskCleanupWait = TimeSpan.Zero, "Agent:TaskCleanupWait" },
        { "docker create timeout zero", o => o.DockerTimeouts.Create = TimeSpan.Zero, "Agent:DockerTimeouts:Create must be a positive duration" },
        { "docker stop buffer negative", o => o.DockerTimeouts.StopBuffer = TimeSpan.FromSeconds(-1), "Agent:DockerTimeouts:StopBuffer" },
        { "max below initial", o => o.ReconnectMaxDelay = TimeSpan.FromMilliseconds(10), "Agent:ReconnectMaxDelay" },
        { "multiplier below one", o => o.ReconnectMultiplier = 0.5, "Agent:ReconnectMultiplier" },
        { "jitter one", o => o.ReconnectJitter = 1, "Agent:ReconnectJitter" },
        { "dynamic range reversed", o => o.DynamicPortRange = "60000-50000", "Agent:DynamicPortRange (--dynamic-port-range, ORCH_DYNAMIC_PORT_RANGE)" },
        { "dynamic range one port number", o => o.DynamicPortRange = "49153", "Agent:DynamicPortRange" },
        { "awsvpc interface name", o => (o.AwsvpcInterface, o.PauseProgram) = ("eth0/1", "/bin/sh"), "Agent:AwsvpcInterface (--awsvpc-interface, ORCH_AWSVPC_INTERFACE)" },
        { "awsvpc task limit", o => (o.AwsvpcInterface, o.AwsvpcTaskLimit, o.PauseProgram) = ("eth0", 0, "/bin/sh"), "Agent:AwsvpcTaskLimit (--awsvpc-task-limit) must be between 1 and 1024" },
        { "pause program missing", o => (o.AwsvpcInterface, o.PauseProgram) = ("eth0", "/nonexistent/pause"), "Agent:PauseProgram: awsvpc tasks need the pause program, and /nonexistent/pause does not exist" },
        { "awsvpc network name", o => (o.AwsvpcInterface, o.AwsvpcNetwork, o.PauseProgram) = ("eth0", "my net", "/bin/sh"), "Agent:AwsvpcNetwork must be a Docker network name" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Validate_InvalidSetting_FailsNamingTheKey(string what, Action<AgentOptions> change, string expected)
    {
        var options = new AgentOptions();
        change(options);

        var result = new AgentOptionsValidator().Validate(null, options);

        Assert.True(result.Failed, what);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void ParsedLists_ValidSettings_PortsAndAttributes()
    {
        var options = new AgentOptions { ReservedPorts = "8080, 9090,8080", ReservedPortsUdp = "53", Attributes = "stack=prod, gpu ,zone=a b" };

        Assert.Equal([8080, 9090], options.ExtraReservedTcpPorts);
        Assert.Equal([53], options.ExtraReservedUdpPorts);
        Assert.Equal([new("stack", "prod"), new("gpu", null), new("zone", "a b")], options.CustomAttributes);
    }
}
