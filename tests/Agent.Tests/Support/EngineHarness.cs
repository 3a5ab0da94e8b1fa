using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Docker;
using Orchestrator.Agent.Engine;
using Orchestrator.Agent.Ports;
using Orchestrator.Agent.State;

namespace Orchestrator.Agent.Tests.Support;

/// <summary>A task engine over a temporary store, a driver (fake unless given) and a fake clock.</summary>
internal sealed class EngineHarness : IAsyncDisposable
{
    public const string ContainerInstanceArn = "arn:aws:ecs:us-east-1:000000000000:container-instance/default/0123456789abcdef0123456789abcdef";

    private readonly TempDirectory? _ownedDirectory;

    /// <summary>The dynamic host ports engines pick from unless a test says otherwise.</summary>
    public static readonly DynamicPortRange DefaultPortRange = new(32768, 60999);

    public EngineHarness(
        IDockerDriver? driver = null,
        AgentOptions? options = null,
        string? dataDir = null,
        TimeProvider? time = null,
        DynamicPortRange? portRange = null,
        IPortProbe? portProbe = null,
        Orchestrator.Agent.Metadata.ContainerMetadata? metadata = null)
    {
        _metadata = metadata;
        if (dataDir is null)
        {
            _ownedDirectory = new TempDirectory();
            dataDir = _ownedDirectory.Path;
        }

        DataDir = dataDir;
        Driver = driver ?? new FakeDockerDriver();
        Options = options ?? new AgentOptions { DataDir = dataDir };
        Time = time ?? new FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
        Store = new AgentStore(dataDir, Time);
        Store.SaveContainerInstanceArn(ContainerInstanceArn);
        Images = new ImageTracker(Time, dataDir);
        PortRange = portRange ?? DefaultPortRange;
        PortProbe = portProbe ?? new NoPortProbe();
        Engine = NewEngine();
    }

    public string DataDir { get; }

    public DynamicPortRange PortRange { get; }

    public IPortProbe PortProbe { get; }

    public IDockerDriver Driver { get; }

    public FakeDockerDriver Fake => (FakeDockerDriver)Driver;

    public AgentOptions Options { get; }

    public TimeProvider Time { get; }

    public FakeTimeProvider FakeTime => (FakeTimeProvider)Time;

    public AgentStore Store { get; private set; }

    public TaskEngine Engine { get; private set; }

    /// <summary>The images the engine pulled or used, and the tasks using them (image cleanup).</summary>
    public ImageTracker Images { get; private set; }

    public Task StartAsync() => Engine.StartAsync(TestContext.Current.CancellationToken);

    /// <summary>An agent restart: the engine and the store are closed and opened again over the same data directory.</summary>
    public async Task RestartAsync()
    {
        await Engine.DisposeAsync();
        Store.Dispose();
        Store = new AgentStore(DataDir, Time);
        Images = new ImageTracker(Time, DataDir);
        Engine = NewEngine();
        await StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Engine.DisposeAsync();
        Store.Dispose();
        _ownedDirectory?.Dispose();
    }

    private TaskEngine NewEngine() =>
        new(Driver, Store, Microsoft.Extensions.Options.Options.Create(Options), Time, NullLogger<TaskEngine>.Instance, PortRange, PortProbe, _metadata, Images);

    private readonly Orchestrator.Agent.Metadata.ContainerMetadata? _metadata;
}
