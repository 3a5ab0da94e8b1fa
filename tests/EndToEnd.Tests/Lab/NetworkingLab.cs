using Orchestrator.Ecs.Json;
using Orchestrator.Ecs.Model;
using Orchestrator.Lab;

namespace Orchestrator.EndToEnd.Tests.Lab;

/// <summary>
/// One two-host lab for the networking tests: the control plane has a subnet on the lab's wire (eight addresses,
/// .128–.135) for awsvpc tasks, the agents give awsvpc tasks addresses on their eth0 (macvlan) and pick dynamic host
/// ports from a range of two, so that running out of them, and reusing them, is quick to see. The task
/// definitions are registered once.
/// </summary>
public sealed class NetworkingLab : IAsyncLifetime
{
    public const string Subnet = "subnet-lab";
    public const int FirstDynamicPort = 41000;
    public const int LastDynamicPort = 41001;
    public const int HostModePort = 8181;

    private readonly string _definitions = Path.Combine(Path.GetTempPath(), "orch-networking-" + Guid.NewGuid().ToString("N"));

    public LabCluster Lab { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Lab = await LabCluster.StartAsync(new LabOptions
        {
            Hosts = 2,
            AgentArguments = ["--awsvpc-interface", "eth0", "--dynamic-port-range", $"{FirstDynamicPort}-{LastDynamicPort}"],
            ControlPlaneNetworkArguments = network =>
                ["--subnet", $"{Subnet} cidr={network.Subnet} range={network.Address(128)}-{network.Address(135)} gateway={network.Gateway}"],
        });
        Directory.CreateDirectory(_definitions);
        foreach (var definition in Definitions)
        {
            var file = Path.Combine(_definitions, definition.Family + ".json");
            await File.WriteAllTextAsync(file, EcsJson.Serialize(definition), TestContext.Current.CancellationToken);
            (await Lab.OrchAsync("taskdef", "register", "--file", file)).EnsureSuccess();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Lab is not null)
        {
            await Lab.DisposeAsync();
        }

        if (Directory.Exists(_definitions))
        {
            Directory.Delete(_definitions, recursive: true);
        }
    }

    /// <summary>busybox httpd on <paramref name="port"/>, saying which container answers.</summary>
    private static ContainerDefinition Web(int port, int? hostPort) => new()
    {
        Name = "web",
        Image = "local/busybox:1",
        Memory = 32,
        EntryPoint = ["/bin/sh", "-c"],
        Command = [$"echo \"<h1>Hello from $HOSTNAME</h1>\" > /www/index.html && exec httpd -f -p {port} -h /www"],
        PortMappings = [new PortMapping { ContainerPort = port, HostPort = hostPort }],
        StopTimeout = 2,
    };

    private static readonly RegisterTaskDefinitionRequest[] Definitions =
    [
        new() { Family = "net-bridge", NetworkMode = NetworkModes.Bridge, ContainerDefinitions = [Web(80, hostPort: 0)] },
        new() { Family = "net-host", NetworkMode = NetworkModes.Host, ContainerDefinitions = [Web(HostModePort, hostPort: null)] },
        new() { Family = "net-awsvpc", NetworkMode = NetworkModes.Awsvpc, ContainerDefinitions = [Web(80, hostPort: 80)] },
        new()
        {
            Family = "net-none",
            NetworkMode = NetworkModes.None,
            ContainerDefinitions = [new ContainerDefinition { Name = "box", Image = "local/busybox:1", Memory = 16, Command = ["sleep", "600"], StopTimeout = 1 }],
        },
        // init must exit 0 and db be healthy before app starts; app stops before db.
        new()
        {
            Family = "net-ordered",
            ContainerDefinitions =
            [
                new ContainerDefinition { Name = "init", Image = "local/busybox:1", Memory = 16, Essential = false, Command = ["sh", "-c", "sleep 1; exit 0"] },
                new ContainerDefinition
                {
                    Name = "db",
                    Image = "local/busybox:1",
                    Memory = 16,
                    Command = ["sh", "-c", "sleep 1; touch /tmp/ready; exec sleep 600"],
                    StopTimeout = 1,
                    HealthCheck = new HealthCheck { Command = ["CMD-SHELL", "test -f /tmp/ready"], Interval = 5, Timeout = 2, Retries = 1 },
                },
                new ContainerDefinition
                {
                    Name = "app",
                    Image = "local/busybox:1",
                    Memory = 16,
                    Command = ["sleep", "600"],
                    StopTimeout = 1,
                    DependsOn =
                    [
                        new ContainerDependency { ContainerName = "init", Condition = ContainerConditions.Success },
                        new ContainerDependency { ContainerName = "db", Condition = ContainerConditions.Healthy },
                    ],
                },
            ],
        },
    ];
}
