using Microsoft.Extensions.Configuration;
using Orchestrator.Agent.Configuration;

namespace Orchestrator.Agent.Tests.Configuration;

public sealed class AgentCommandLineTests
{
    private static AgentOptions Bind(string[] args, Dictionary<string, string> environment)
    {
        var (values, remaining) = AgentCommandLine.Parse(args, name => environment.GetValueOrDefault(name));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).AddCommandLine([.. remaining]).Build();
        var options = new AgentOptions();
        configuration.GetSection(AgentOptions.SectionName).Bind(options);
        return options;
    }

    [Fact]
    public void Parse_Nothing_Defaults()
    {
        var options = Bind([], []);

        Assert.Equal("http://127.0.0.1:7070", options.Endpoint);
        Assert.Equal("default", options.Cluster);
        Assert.Equal("unix:///var/run/docker.sock", options.DockerHost);
        Assert.Equal("/var/lib/orch-agent", options.DataDir);
    }

    [Theory]
    [InlineData(new[] { "--endpoint", "http://10.0.0.1:7070", "--bogus" }, "--bogus")]
    [InlineData(new[] { "--clutser", "prod" }, "--clutser")]
    [InlineData(new[] { "stray" }, "stray")]
    [InlineData(new[] { "--Agent:StatsMode" }, "--Agent:StatsMode")]
    [InlineData(new[] { "--Agent:StatsMode", "stream", "--Logging:LogLevel:Default=Debug", "--cluster", "prod" }, null)]
    public void FirstUnknown_NamesWhatIsNeitherAFlagNorASetting(string[] args, string? expected)
    {
        var (_, remaining) = AgentCommandLine.Parse(args, _ => null);

        Assert.Equal(expected, AgentCommandLine.FirstUnknown(remaining));
    }

    [Fact]
    public void Parse_Flags_SetOptions()
    {
        var options = Bind(
            ["--endpoint", "http://10.0.0.1:7070", "--cluster=prod", "--docker-host", "tcp://127.0.0.1:2375", "--data-dir", "/tmp/a"],
            []);

        Assert.Equal("http://10.0.0.1:7070", options.Endpoint);
        Assert.Equal("prod", options.Cluster);
        Assert.Equal("tcp://127.0.0.1:2375", options.DockerHost);
        Assert.Equal("/tmp/a", options.DataDir);
    }

    [Fact]
    public void Parse_DynamicPortRange_FlagOrEnvironment()
    {
        Assert.Equal("40000-40999", Bind(["--dynamic-port-range", "40000-40999"], []).DynamicPortRange);
        Assert.Equal("41000-41999", Bind([], new() { ["ORCH_DYNAMIC_PORT_RANGE"] = "41000-41999" }).DynamicPortRange);
        Assert.True(Bind(["--Agent:PortBindCheck=false"], []).PortBindCheck is false);
    }

    [Fact]
    public void Parse_SecurityFlagsOrEnvironment_SetActivationAndCa()
    {
        var flags = Bind(
            ["--activation-id", "act-1", "--activation-code=code-1", "--ca-file", "/etc/orch/ca.crt", "--ca-fingerprint", "sha256:ab"],
            []);
        var environment = Bind([], new()
        {
            ["ORCH_ACTIVATION_ID"] = "act-2",
            ["ORCH_ACTIVATION_CODE"] = "code-2",
            ["ORCH_CA_FILE"] = "/env/ca.crt",
            ["ORCH_CA_FINGERPRINT"] = "sha256:cd",
        });

        Assert.Equal(("act-1", "code-1", "/etc/orch/ca.crt", "sha256:ab"), (flags.ActivationId, flags.ActivationCode, flags.CaFile, flags.CaFingerprint));
        Assert.Equal(("act-2", "code-2", "/env/ca.crt", "sha256:cd"), (environment.ActivationId, environment.ActivationCode, environment.CaFile, environment.CaFingerprint));
        Assert.Contains("--activation-code", AgentCommandLine.Usage, StringComparison.Ordinal);
        Assert.Contains("--ca-fingerprint", AgentCommandLine.Usage, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_EnvironmentAndFlag_FlagWins()
    {
        var environment = new Dictionary<string, string>
        {
            ["ORCH_ENDPOINT"] = "http://env:7070",
            ["ORCH_CLUSTER"] = "env-cluster",
            ["ORCH_DATA_DIR"] = "/env",
        };

        var options = Bind(["--cluster", "flag-cluster"], environment);

        Assert.Equal("http://env:7070", options.Endpoint);
        Assert.Equal("flag-cluster", options.Cluster);
        Assert.Equal("/env", options.DataDir);
    }

    [Fact]
    public void Parse_RepeatedAttribute_AllKeptOverEnvironment()
    {
        var options = Bind(["--attribute", "stack=prod", "--attribute=zone=a"], new() { ["ORCH_ATTRIBUTES"] = "from=env" });

        Assert.Equal("stack=prod,zone=a", options.Attributes);
    }

    [Fact]
    public void Parse_RepeatedGpu_AllKeptInOrder()
    {
        var options = Bind(["--gpu", "GPU-a", "--gpu=GPU-b", "--Agent:GpuProbe=false"], new() { ["ORCH_GPUS"] = "GPU-env" });

        Assert.Equal(["GPU-a", "GPU-b"], options.ConfiguredGpus);
        Assert.False(options.GpuProbe);
        Assert.Equal(["GPU-env"], Bind([], new() { ["ORCH_GPUS"] = "GPU-env" }).ConfiguredGpus);
    }

    [Fact]
    public void Parse_ConfigurationKey_PassesThrough()
    {
        var options = Bind(["--Agent:StopTimeout=00:00:05", "--Agent:ReservedMemoryMiB", "256"], []);

        Assert.Equal(TimeSpan.FromSeconds(5), options.StopTimeout);
        Assert.Equal(256, options.ReservedMemoryMiB);
    }

    [Fact]
    public void Parse_FlagWithoutValue_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => AgentCommandLine.Parse(["--cluster"], _ => null));

        Assert.Contains("--cluster", error.Message, StringComparison.Ordinal);
    }
}
