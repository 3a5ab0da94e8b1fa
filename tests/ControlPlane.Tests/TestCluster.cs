using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.ControlPlane.Agents;
using Orchestrator.ControlPlane.Application;
using Orchestrator.ControlPlane.Networking;
using Orchestrator.ControlPlane.Services;
using Orchestrator.ControlPlane.State;
using Orchestrator.ControlPlane.Tasks;
using Orchestrator.Contracts.Agent;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;
using TaskStatus = Orchestrator.Ecs.Model.TaskStatus;

namespace Orchestrator.ControlPlane.Tests;

/// <summary>The control plane's application layer over a real state database in a temporary directory.</summary>
public sealed class TestCluster : IDisposable
{
    private readonly List<AgentSession> _open = [];
    private readonly IReadOnlyList<Subnet>? _subnets;
    private bool _restarted;

    /// <param name="subnets">The control plane's subnets for awsvpc tasks, as its configuration would give them.</param>
    public TestCluster(string? directory = null, IReadOnlyList<Subnet>? subnets = null)
    {
        _subnets = subnets;
        Directory = directory ?? Path.Combine(Path.GetTempPath(), "orch-cp-test-" + Guid.NewGuid().ToString("N"));
        Store = new StateStore(Path.Combine(Directory, "state.db"), NullLogger<StateStore>.Instance, subnets);
        Sessions = new AgentSessions(Clock);
        Secrets = new Orchestrator.ControlPlane.Security.SecretStore(Microsoft.Extensions.Options.Options.Create(new ControlPlaneOptions { DataDir = Directory }), Clock);
        Roles = new Orchestrator.ControlPlane.Security.RoleStore(Microsoft.Extensions.Options.Options.Create(new ControlPlaneOptions { DataDir = Directory, AccountId = Arns.Account }), Clock);
        Credentials = new Orchestrator.ControlPlane.Security.TaskCredentialStore(Microsoft.Extensions.Options.Options.Create(new ControlPlaneOptions { DataDir = Directory }), Clock);
        RoleCredentials = new TaskRoleCredentials(Roles, Credentials);
        Dispatcher = new TaskDispatcher(Sessions, new TaskSecrets(Secrets, RoleCredentials), Store, Clock, NullLogger<TaskDispatcher>.Instance);
        Tasks = new TaskLifecycle(Arns, Clock);
        Launcher = new TaskLauncher(Sessions, Tasks);
        Api = new EcsResources(
            new ClusterActions(Store, Arns, Clock),
            new TaskDefinitionActions(Store, Arns, Clock),
            new TaskActions(Store, Arns, Dispatcher, Tasks, Launcher, Clock, roles: Roles),
            new ServiceActions(Store, Arns, Clock),
            new ContainerInstanceActions(Store, Arns, Sessions, Clock),
            new AttributeActions(Store, Arns),
            new TagActions(Store, Arns));
        Registration = new InstanceRegistration(Store, Arns, Clock, NullLogger<InstanceRegistration>.Instance);
        Reports = new SessionReports(Store, new TaskSecrets(Secrets, RoleCredentials), Clock, NullLogger<SessionReports>.Instance);
        Scheduler = new ServiceScheduler(Store, Sessions, Tasks, Launcher, Dispatcher, Clock, NullLogger<ServiceScheduler>.Instance);
        Actions = new EcsActions(Api);
    }

    public string Directory { get; }
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
    public Arns Arns { get; } = new("us-east-1", "123456789012");
    public StateStore Store { get; }
    /// <summary>The secret store, in <see cref="Directory"/> (its key created there on first use).</summary>
    public Orchestrator.ControlPlane.Security.SecretStore Secrets { get; }
    public AgentSessions Sessions { get; }
    /// <summary>Task roles, in <see cref="Directory"/>, and the keys their tasks are issued (memory).</summary>
    public Orchestrator.ControlPlane.Security.RoleStore Roles { get; }
    public Orchestrator.ControlPlane.Security.TaskCredentialStore Credentials { get; }
    public TaskRoleCredentials RoleCredentials { get; }
    public TaskDispatcher Dispatcher { get; }
    public TaskLifecycle Tasks { get; }
    public TaskLauncher Launcher { get; }
    /// <summary>The ECS actions, by resource: <c>Api.Tasks.RunTaskAsync(…)</c>.</summary>
    public EcsResources Api { get; }
    public InstanceRegistration Registration { get; }
    public SessionReports Reports { get; }
    public ServiceScheduler Scheduler { get; }
    public EcsActions Actions { get; }

    public static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>Registers a host and opens a session for it, as a connected agent would.</summary>
    public Task<(string Arn, AgentSession Session)> AddInstanceAsync(int cpu = 2048, int memory = 4096, string cluster = "default", params int[] reservedPorts) =>
        AddInstanceAsync(_ => { }, cpu, memory, cluster, reservedPorts);

    /// <summary>The same, with the registration changed by <paramref name="configure"/> (resources, attributes) before it is sent.</summary>
    public async Task<(string Arn, AgentSession Session)> AddInstanceAsync(
        Action<RegisterRequest> configure, int cpu = 2048, int memory = 4096, string cluster = "default", params int[] reservedPorts)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var request = new RegisterRequest
        {
            Cluster = cluster,
            Resources = new HostResources { Cpu = cpu, MemoryMib = memory },
            Hostname = "host",
            InstanceId = "mi-0123456789abcdef0",
        };
        request.Resources.ReservedTcpPorts.Add(reservedPorts.Length == 0 ? [22] : reservedPorts);
        request.Attributes.Add(new Contracts.Agent.Attribute { Name = "ecs.os-type", Value = "linux" });
        configure(request);
        var instance = await Registration.RegisterAsync(request, Token);
        var session = Sessions.Open(instance.Arn);
        _open.Add(session);
        return (instance.Arn, session);
    }

    public Task<TaskDefinitionResponse> RegisterAsync(string family = "web", int memory = 512, int cpu = 256, int hostPort = 0) =>
        Api.TaskDefinitions.RegisterTaskDefinitionAsync(new RegisterTaskDefinitionRequest
        {
            Family = family,
            ContainerDefinitions =
            [
                new ContainerDefinition
                {
                    Name = "web",
                    Image = "local/busybox:1",
                    Cpu = cpu,
                    Memory = memory,
                    PortMappings = [new PortMapping { ContainerPort = 80, HostPort = hostPort }],
                },
            ],
        }, Token);

    public Task<TasksResponse> RunAsync(string taskDefinition = "web", int count = 1, string cluster = "default") =>
        Api.Tasks.RunTaskAsync(new RunTaskRequest { Cluster = cluster, TaskDefinition = taskDefinition, Count = count }, Token);

    /// <summary>Reports every non-stopped task of the cluster as the given status (as agents would), with fresh sequence numbers.</summary>
    public async Task ReportAllAsync(Contracts.Agent.Status status, Func<TaskRecord, bool>? which = null)
    {
        foreach (var task in Store.Current.Tasks.Values.Where(t => t.Task.LastStatus != TaskStatus.Stopped && (which?.Invoke(t) ?? true)).ToList())
        {
            var instance = task.Task.ContainerInstanceArn!;
            var sequence = Store.Current.Instance(instance)!.LastSequence + 1;
            var state = new TaskState { TaskArn = task.Arn, LastStatus = status };
            await Reports.ApplyAsync(instance, new TaskStateChange { Sequence = sequence, Task = state }, Token);
        }
    }

    /// <summary>Stops every task whose desired status is STOPPED, as agents would after a stop command.</summary>
    public Task CompleteStopsAsync() =>
        ReportAllAsync(Contracts.Agent.Status.Stopped, t => t.Task.DesiredStatus == TaskStatus.Stopped);

    /// <summary>The next message the control plane queued for an agent, or null when none is queued.</summary>
    public static ControlMessage? NextMessage(AgentSession session) => session.Outgoing.Reader.TryRead(out var message) ? message : null;

    /// <summary>A new control plane over the same state database, as after a restart (sessions are gone).</summary>
    public TestCluster Restart()
    {
        _restarted = true;
        Store.Dispose();
        return new TestCluster(Directory, _subnets);
    }

    public void Dispose()
    {
        Store.Dispose();
        if (_restarted)
        {
            return;
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
