using Orchestrator.Agent.Awsvpc;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Engine;
using Orchestrator.Agent.Metadata;
using Orchestrator.Agent.State;
using Orchestrator.Agent.Tests.Support;
using Orchestrator.Ecs.Model;
using static Orchestrator.Agent.Tests.Support.TaskDefinitions;

namespace Orchestrator.Agent.Tests.Metadata;

/// <summary>
/// The engine with the metadata endpoint listening, against the fake Docker: every container gets its own URI for its
/// network mode, and an awsvpc task's pause container joins the metadata network before it starts.
/// </summary>
public sealed class MetadataEngineTests : IAsyncLifetime
{
    private const string Image = "local/busybox:1";
    private readonly TempDirectory _program = new();
    private readonly MetadataTokens _tokens = new(new byte[32]);
    private readonly EngineHarness _harness;

    public MetadataEngineTests()
    {
        var pause = Path.Combine(_program.Path, "pause");
        File.WriteAllBytes(pause, [0x7f, (byte)'E', (byte)'L', (byte)'F', 1, 2, 3]);
        var metadata = new ContainerMetadata(_tokens);
        metadata.Listening("127.0.0.1:51679", "172.17.0.1:51679", "169.254.172.1:51679", MetadataServer.AwsvpcNetwork);
        _harness = new EngineHarness(options: new AgentOptions { AwsvpcInterface = "eth0", PauseProgram = pause }, metadata: metadata);
    }

    public async ValueTask InitializeAsync()
    {
        _harness.Fake.Images[Image] = "sha256:present";
        await _harness.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _harness.DisposeAsync();
        _program.Dispose();
    }

    [Fact]
    public async Task BridgeAndAwsvpcTasks_EachContainerGetsItsOwnUri_PauseJoinsTheMetadataNetwork()
    {
        var bridge = RunTask(Definition([Container("web"), Container("sidecar")]));
        var awsvpc = RunTask(Definition([Container("app")]) with { NetworkMode = NetworkModes.Awsvpc }) with
        {
            Network = new TaskNetworkRecord("att-1", "subnet-a", "10.9.0.10", 24, "10.9.0.1"),
        };

        _harness.Engine.RunTask(bridge);
        _harness.Engine.RunTask(awsvpc);
        await _harness.Store.WaitForStatusAsync(bridge.TaskArn, LifecycleStatus.Running);
        var task = await _harness.Store.WaitForStatusAsync(awsvpc.TaskArn, LifecycleStatus.Running);

        var created = _harness.Fake.Created.ToList();
        string Uri(string taskArn, string name) => created
            .Single(c => c.Labels[ContainerSpecBuilder.TaskArnLabel] == taskArn && c.Labels[ContainerSpecBuilder.ContainerNameLabel] == name)
            .Environment.Single(e => e.StartsWith(ContainerMetadata.UriV4 + "=", StringComparison.Ordinal));
        Assert.Equal($"{ContainerMetadata.UriV4}=http://172.17.0.1:51679/v4/{_tokens.For(bridge.TaskArn, "web")}", Uri(bridge.TaskArn, "web"));
        Assert.Equal($"{ContainerMetadata.UriV4}=http://172.17.0.1:51679/v4/{_tokens.For(bridge.TaskArn, "sidecar")}", Uri(bridge.TaskArn, "sidecar"));
        Assert.Equal($"{ContainerMetadata.UriV4}=http://169.254.172.1:51679/v4/{_tokens.For(awsvpc.TaskArn, "app")}", Uri(awsvpc.TaskArn, "app"));

        var pause = created.Single(c => c.Labels[ContainerSpecBuilder.ContainerNameLabel] == AwsvpcTask.PauseContainer);
        Assert.DoesNotContain(pause.Environment, e => e.StartsWith("ECS_", StringComparison.Ordinal));
        var pauseId = task.Container(AwsvpcTask.PauseContainer)!.RuntimeId;
        Assert.Equal([(MetadataServer.AwsvpcNetwork, pauseId!)], _harness.Fake.ConnectedNetworks);
    }
}
