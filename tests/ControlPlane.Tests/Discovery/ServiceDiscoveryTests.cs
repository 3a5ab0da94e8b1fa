using Orchestrator.Contracts.Agent;
using Orchestrator.ControlPlane.Discovery;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;
using Status = Orchestrator.Contracts.Agent.Status;

namespace Orchestrator.ControlPlane.Tests.Discovery;

/// <summary>
/// serviceRegistries through the ECS API on the SQLite state: ECS's checks, what is stored and described, and the DNS
/// answers following tasks as agents report them running, healthy, stopped.
/// </summary>
public sealed class ServiceDiscoveryTests
{
    private const string Registry = "arn:aws:servicediscovery:us-east-1:123456789012:service/srv-web";
    private static CancellationToken Token => TestCluster.Token;

    [Fact]
    public async Task BridgeService_TasksReportedRunning_AnswerWithInstanceAddressAndHostPort_UntilStopped()
    {
        using var cluster = new TestCluster();
        await cluster.Api.Clusters.CreateClusterAsync(new CreateClusterRequest(), Token);
        var instance = await cluster.Registration.RegisterAsync(new RegisterRequest
        {
            Cluster = "default",
            Resources = new HostResources { Cpu = 4096, MemoryMib = 4096 },
            Hostname = "host",
        }, Token, peerAddress: "192.0.2.10");
        cluster.Sessions.Open(instance.Arn);
        await cluster.RegisterAsync();
        var created = await cluster.Api.Services.CreateServiceAsync(new CreateServiceRequest
        {
            ServiceName = "web", TaskDefinition = "web", DesiredCount = 2,
            ServiceRegistries = [new ServiceRegistry { RegistryArn = Registry, ContainerName = "web", ContainerPort = 80 }],
        }, Token);
        await cluster.Scheduler.ReconcileAsync(created.Service.ServiceArn, Token);
        var tasks = cluster.Store.Current.Tasks.Values.Select(t => t.Arn).Order(StringComparer.Ordinal).ToList();
        var responder = new DnsResponder(() => cluster.Store.Current);
        Assert.Equal(2, tasks.Count);
        Assert.Empty(Srv(responder).Answers); // placed, not running yet

        ulong sequence = 0;
        for (var i = 0; i < tasks.Count; i++)
        {
            var container = new ContainerState { Name = "web", LastStatus = Status.Running };
            container.NetworkBindings.Add(new Contracts.Agent.NetworkBinding { BindIp = "0.0.0.0", ContainerPort = 80, HostPort = 40000 + i, Protocol = "tcp" });
            await Application.RunTaskTests.ReportAsync(cluster, instance.Arn, ++sequence, tasks[i], Status.Running, container);
        }

        var answer = Srv(responder);
        Assert.Equal([40000, 40001], answer.Answers.Select(a => (int)a.Port).Order());
        Assert.All(answer.Additional, a => Assert.Equal("192.0.2.10", a.Address));
        var described = Assert.Single((await cluster.Api.Services.DescribeServicesAsync(new DescribeServicesRequest { Services = ["web"] }, Token)).Services);
        Assert.Equal(Registry, Assert.Single(described.ServiceRegistries).RegistryArn);

        await Application.RunTaskTests.ReportAsync(cluster, instance.Arn, ++sequence, tasks[0], Status.Stopped);

        Assert.Equal([40001], Srv(responder).Answers.Select(a => (int)a.Port));
        var found = ServiceDiscovery.Find(cluster.Store.Current, "default", "web");
        Assert.Equal(("web.default.orch.local", 1), (found!.DomainName, found.Entries.Count));

        using var restarted = cluster.Restart();
        Assert.Equal(Registry, Assert.Single(Assert.Single(restarted.Store.Current.Services.Values).ServiceRegistries).RegistryArn);
        Assert.Equal([40001], Srv(new DnsResponder(() => restarted.Store.Current)).Answers.Select(a => (int)a.Port));
    }

    [Fact]
    public async Task HealthCheckedTask_RegisteredOnlyWhileHealthy()
    {
        using var cluster = new TestCluster();
        await cluster.Api.Clusters.CreateClusterAsync(new CreateClusterRequest(), Token);
        var (instance, _) = await cluster.AddInstanceAsync(r => r.Attributes.Add(new Contracts.Agent.Attribute { Name = ServiceDiscovery.AddressAttribute, Value = "198.51.100.7" }));
        await cluster.Api.TaskDefinitions.RegisterTaskDefinitionAsync(new RegisterTaskDefinitionRequest
        {
            Family = "web",
            ContainerDefinitions =
            [
                new ContainerDefinition
                {
                    Name = "web", Image = "local/busybox:1", Memory = 128, PortMappings = [new PortMapping { ContainerPort = 80 }],
                    HealthCheck = new HealthCheck { Command = ["CMD-SHELL", "true"] },
                },
            ],
        }, Token);
        var created = await cluster.Api.Services.CreateServiceAsync(new CreateServiceRequest
        {
            ServiceName = "web", TaskDefinition = "web", DesiredCount = 1,
            ServiceRegistries = [new ServiceRegistry { RegistryArn = "web", ContainerName = "web", ContainerPort = 80 }],
        }, Token);
        await cluster.Scheduler.ReconcileAsync(created.Service.ServiceArn, Token);
        var task = Assert.Single(cluster.Store.Current.Tasks.Values).Arn;
        var responder = new DnsResponder(() => cluster.Store.Current);

        await ReportHealthAsync(cluster, instance, 1, task, "UNKNOWN");
        Assert.Empty(Srv(responder).Answers);
        await ReportHealthAsync(cluster, instance, 2, task, "HEALTHY");
        Assert.Equal("198.51.100.7", Assert.Single(Srv(responder).Additional).Address);
        await ReportHealthAsync(cluster, instance, 3, task, "UNHEALTHY");
        Assert.Empty(Srv(responder).Answers);
    }

    [Theory]
    [InlineData("web", null, null, null, "containerName and containerPort")]
    [InlineData("web", null, "web", 81, "does not have a port mapping for containerPort 81")]
    [InlineData("web", null, "db", 80, "The container db does not exist")]
    [InlineData("web", 80, "web", 80, "awsvpc network mode")]
    [InlineData("arn:aws:sns:us-east-1:1:service/srv-web", null, "web", 80, "is not a discovery service")]
    [InlineData("we_b", null, "web", 80, "is not a discovery service")]
    [InlineData("web", null, "web", null, "must be specified together")]
    public async Task CreateService_BadRegistry_InvalidParameter(string arn, int? port, string? containerName, int? containerPort, string message)
    {
        using var cluster = new TestCluster();
        await cluster.Api.Clusters.CreateClusterAsync(new CreateClusterRequest(), Token);
        await cluster.RegisterAsync();

        var error = await Assert.ThrowsAsync<EcsException>(() => cluster.Api.Services.CreateServiceAsync(new CreateServiceRequest
        {
            ServiceName = "web", TaskDefinition = "web", DesiredCount = 1,
            ServiceRegistries = [new ServiceRegistry { RegistryArn = arn, Port = port, ContainerName = containerName, ContainerPort = containerPort }],
        }, Token));

        Assert.Equal(EcsErrors.InvalidParameter, error.ErrorType);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Empty(cluster.Store.Current.Services);
    }

    [Fact]
    public async Task Registries_TwoOrANameTaken_Refused_UpdateServiceEmptyListRemoves()
    {
        using var cluster = new TestCluster();
        await cluster.Api.Clusters.CreateClusterAsync(new CreateClusterRequest(), Token);
        await cluster.RegisterAsync();
        var registry = new ServiceRegistry { RegistryArn = "web", ContainerName = "web", ContainerPort = 80 };
        var two = await Assert.ThrowsAsync<EcsException>(() => cluster.Api.Services.CreateServiceAsync(new CreateServiceRequest
        {
            ServiceName = "web", TaskDefinition = "web", DesiredCount = 0, ServiceRegistries = [registry, registry],
        }, Token));
        await cluster.Api.Services.CreateServiceAsync(new CreateServiceRequest
        {
            ServiceName = "web", TaskDefinition = "web", DesiredCount = 0, ServiceRegistries = [registry],
        }, Token);
        var taken = await Assert.ThrowsAsync<EcsException>(() => cluster.Api.Services.CreateServiceAsync(new CreateServiceRequest
        {
            ServiceName = "other", TaskDefinition = "web", DesiredCount = 0, ServiceRegistries = [registry],
        }, Token));

        var cleared = await cluster.Api.Services.UpdateServiceAsync(new UpdateServiceRequest { Service = "web", ServiceRegistries = [] }, Token);

        Assert.Contains("one service registry", two.Message, StringComparison.Ordinal);
        Assert.Contains("already used by service web", taken.Message, StringComparison.Ordinal);
        Assert.Empty(cleared.Service.ServiceRegistries);
        Assert.Null(ServiceDiscovery.Find(cluster.Store.Current, "default", "web"));
    }

    [Fact]
    public async Task HttpApi_ServiceRegistriesMember_AcceptedAndEchoed()
    {
        using var cluster = new TestCluster();
        await cluster.Api.Clusters.CreateClusterAsync(new CreateClusterRequest(), Token);
        await cluster.RegisterAsync();

        var json = await cluster.Actions.InvokeAsync("CreateService",
            """{"serviceName":"web","taskDefinition":"web","desiredCount":0,"serviceRegistries":[{"registryArn":"web","containerName":"web","containerPort":80}]}""", Token);

        Assert.Contains("\"serviceRegistries\":[{\"registryArn\":\"web\",\"containerName\":\"web\",\"containerPort\":80}]", json, StringComparison.Ordinal);
    }

    private static Task ReportHealthAsync(TestCluster cluster, string instance, ulong sequence, string task, string health)
    {
        var state = new TaskState { TaskArn = task, LastStatus = Status.Running, HealthStatus = health };
        var container = new ContainerState { Name = "web", LastStatus = Status.Running, HealthStatus = health };
        container.NetworkBindings.Add(new Contracts.Agent.NetworkBinding { BindIp = "0.0.0.0", ContainerPort = 80, HostPort = 41000, Protocol = "tcp" });
        state.Containers.Add(container);
        return cluster.Reports.ApplyAsync(instance, new TaskStateChange { Sequence = sequence, Task = state }, Token);
    }

    private static DnsTestPacket.Answer Srv(DnsResponder responder) =>
        DnsTestPacket.Read(responder.Answer(DnsTestPacket.Query(1, "web.default.orch.local", DnsTypes.Srv), DnsResponder.UdpLimit)!);
}
