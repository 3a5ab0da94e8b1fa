using Orchestrator.Contracts.Agent;
using Orchestrator.ControlPlane.Agents;
using Orchestrator.ControlPlane.Discovery;
using Orchestrator.ControlPlane.LoadBalancing;
using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;
using Status = Orchestrator.Contracts.Agent.Status;
using TaskStatus = Orchestrator.Ecs.Model.TaskStatus;

namespace Orchestrator.ControlPlane.Tests.LoadBalancing;

/// <summary>
/// The built-in load balancer's state on the SQLite store: target groups and listeners (API checks, ARNs, kept over a
/// restart), services' loadBalancers (ECS's checks, echoed by DescribeServices), which tasks are targets as agents
/// report them, and draining: a target being stopped leaves the targets at once and its agent is told to stop only
/// after the deregistration delay.
/// </summary>
public sealed class LoadBalancerTests
{
    private static CancellationToken Token => TestCluster.Token;

    private static LoadBalancerActions Balancers(TestCluster cluster) => new(cluster.Store, cluster.Arns, cluster.Clock);

    private static Task<TargetGroupsOutput> CreateGroupAsync(TestCluster cluster, string name = "web", int delay = 5, string? protocol = null) =>
        Balancers(cluster).CreateTargetGroupAsync(new TargetGroupInput
        {
            Name = name, Protocol = protocol, HealthCheckPath = "/", HealthCheckIntervalSeconds = 5, DeregistrationDelaySeconds = delay,
        }, Token);

    [Fact]
    public async Task TargetGroupsAndListeners_CreatedInElbShape_KeptOverRestart_DeleteRefusedWhileUsed()
    {
        using var cluster = new TestCluster();
        await cluster.Api.Clusters.CreateClusterAsync(new CreateClusterRequest(), Token);
        await cluster.RegisterAsync();
        var actions = Balancers(cluster);

        var group = Assert.Single((await CreateGroupAsync(cluster)).TargetGroups);
        var again = Assert.Single((await CreateGroupAsync(cluster)).TargetGroups);
        var listener = Assert.Single((await actions.CreateListenerAsync(new ListenerInput { Port = 8088, TargetGroup = "web", Path = "/api/*" }, Token)).Listeners);
        await cluster.Api.Services.CreateServiceAsync(new CreateServiceRequest
        {
            ServiceName = "web", TaskDefinition = "web", DesiredCount = 0,
            LoadBalancers = [new LoadBalancer { TargetGroupArn = group.TargetGroupArn, ContainerName = "web", ContainerPort = 80 }],
        }, Token);
        var usedByListener = await Assert.ThrowsAsync<EcsException>(() => actions.DeleteTargetGroupAsync(new NamesInput { Names = ["web"] }, Token));
        await actions.DeleteListenerAsync(new ListenerArnInput { ListenerArn = listener.ListenerArn }, Token);
        var usedByService = await Assert.ThrowsAsync<EcsException>(() => actions.DeleteTargetGroupAsync(new NamesInput { Names = ["web"] }, Token));

        Assert.Matches("^arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/[0-9a-f]{16}$", group.TargetGroupArn);
        Assert.Equal(group, again);
        Assert.Equal((5, 5, "HTTP"), (group.HealthCheckIntervalSeconds, group.DeregistrationDelaySeconds, group.Protocol));
        Assert.Contains("in use by listener", usedByListener.Message, StringComparison.Ordinal);
        Assert.Contains("in use by service web", usedByService.Message, StringComparison.Ordinal);
        using var restarted = cluster.Restart();
        Assert.Equal(group.TargetGroupArn, Assert.Single(restarted.Store.Current.TargetGroups.Values).Arn);
        Assert.Empty(restarted.Store.Current.Listeners);
    }

    [Theory]
    [InlineData("CreateTargetGroup", """{"Name":"-web"}""", "Name must be")]
    [InlineData("CreateTargetGroup", """{"Name":"web","Protocol":"UDP"}""", "Protocol must be HTTP or TCP")]
    [InlineData("CreateTargetGroup", """{"Name":"web","HealthCheckIntervalSeconds":0}""", "HealthCheckIntervalSeconds must be between")]
    [InlineData("CreateTargetGroup", """{"Name":"web","HealthCheckPath":"no-slash"}""", "HealthCheckPath must start with /")]
    [InlineData("CreateTargetGroup", """{"Name":"web","DeregistrationDelaySeconds":99999}""", "DeregistrationDelaySeconds must be between")]
    [InlineData("CreateTargetGroup", """{"Name":"web","Bogus":1}""", "not valid JSON of the expected shape")]
    [InlineData("CreateTargetGroup", """[1,2]""", "not valid JSON")]
    [InlineData("CreateListener", """{"Port":0,"TargetGroup":"web"}""", "Port must be between")]
    [InlineData("CreateListener", """{"Port":8088,"TargetGroup":"nope"}""", "Target group 'nope' not found")]
    [InlineData("CreateListener", """{"Port":8088,"TargetGroup":"web","Protocol":"TCP"}""", "speaks HTTP")]
    [InlineData("CreateListener", """{"Port":8088,"TargetGroup":"web","Path":"api"}""", "Path must start with /")]
    [InlineData("CreateListener", """{"Port":8088,"TargetGroup":"web","Host":"a b"}""", "Host must be a host name")]
    [InlineData("DeleteListener", """{"ListenerArn":"arn:nope"}""", "not found")]
    public async Task Api_MalformedOrUnknown_ShortInvalidParameter(string action, string json, string message)
    {
        using var cluster = new TestCluster();
        await CreateGroupAsync(cluster);

        var error = await Assert.ThrowsAsync<EcsException>(() => Balancers(cluster).InvokeAsync(action, json, Token));

        Assert.Equal(EcsErrors.InvalidParameter, error.ErrorType);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.True(error.Message.Length < 300);
    }

    [Fact]
    public async Task TcpListener_TakesTcpGroup_RefusesPathAndASecondRule()
    {
        using var cluster = new TestCluster();
        await CreateGroupAsync(cluster, "db", protocol: "TCP");
        var actions = Balancers(cluster);

        var listener = Assert.Single((await actions.CreateListenerAsync(new ListenerInput { Port = 5432, Protocol = "tcp", TargetGroup = "db" }, Token)).Listeners);
        var withPath = await Assert.ThrowsAsync<EcsException>(() => actions.CreateListenerAsync(new ListenerInput { Port = 5433, Protocol = "TCP", TargetGroup = "db", Path = "/x" }, Token));
        var second = await Assert.ThrowsAsync<EcsException>(() => actions.CreateListenerAsync(new ListenerInput { Port = 5432, Protocol = "TCP", TargetGroup = "db" }, Token));

        Assert.Equal("TCP", listener.Protocol);
        Assert.Contains("HTTP listeners only", withPath.Message, StringComparison.Ordinal);
        Assert.Contains("already has a listener", second.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("nope", "web", 80, "The target group nope does not exist")]
    [InlineData("arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0000000000000000", "web", 80, "does not exist")]
    [InlineData("web", "db", 80, "The container db does not exist in the task definition")]
    [InlineData("web", "web", 81, "did not have a container port 81 defined")]
    [InlineData("web", null, 80, "containerName and containerPort are required")]
    [InlineData(null, "web", 80, "targetGroupArn is required")]
    public async Task CreateService_BadLoadBalancer_InvalidParameter_NothingStored(string? group, string? container, int port, string message)
    {
        using var cluster = new TestCluster();
        await cluster.Api.Clusters.CreateClusterAsync(new CreateClusterRequest(), Token);
        await cluster.RegisterAsync();
        await CreateGroupAsync(cluster);

        var error = await Assert.ThrowsAsync<EcsException>(() => cluster.Api.Services.CreateServiceAsync(new CreateServiceRequest
        {
            ServiceName = "web", TaskDefinition = "web", DesiredCount = 1,
            LoadBalancers = [new LoadBalancer { TargetGroupArn = group, ContainerName = container, ContainerPort = port }],
        }, Token));

        Assert.Equal(EcsErrors.InvalidParameter, error.ErrorType);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Empty(cluster.Store.Current.Services);
    }

    [Fact]
    public async Task HttpApi_LoadBalancersMember_AcceptedAndEchoedByDescribeServices_UpdateEmptyListRemoves()
    {
        using var cluster = new TestCluster();
        await cluster.Api.Clusters.CreateClusterAsync(new CreateClusterRequest(), Token);
        await cluster.RegisterAsync();
        var arn = Assert.Single((await CreateGroupAsync(cluster)).TargetGroups).TargetGroupArn;

        await cluster.Actions.InvokeAsync("CreateService",
            $$"""{"serviceName":"web","taskDefinition":"web","desiredCount":0,"loadBalancers":[{"targetGroupArn":"{{arn}}","containerName":"web","containerPort":80}]}""", Token);
        var described = await cluster.Actions.InvokeAsync("DescribeServices", """{"services":["web"]}""", Token);
        var refused = await Assert.ThrowsAsync<EcsException>(() => cluster.Actions.InvokeAsync("UpdateService",
            """{"service":"web","loadBalancers":[{"targetGroupArn":"web","containerName":"web","containerPort":8080}]}""", Token));
        var cleared = await cluster.Api.Services.UpdateServiceAsync(new UpdateServiceRequest { Service = "web", LoadBalancers = [] }, Token);

        Assert.Contains($$"""
            "loadBalancers":[{"targetGroupArn":"{{arn}}","containerName":"web","containerPort":80}]
            """.Trim(), described, StringComparison.Ordinal);
        Assert.Contains("container port 8080", refused.Message, StringComparison.Ordinal);
        Assert.Empty(cleared.Service.LoadBalancers);
    }

    [Fact]
    public async Task Targets_RunningTasksAtInstanceAddressAndHostPort_HealthCheckedOnlyWhenHealthy()
    {
        using var cluster = new TestCluster();
        await cluster.Api.Clusters.CreateClusterAsync(new CreateClusterRequest(), Token);
        var (instance, _) = await cluster.AddInstanceAsync(r => r.Attributes.Add(new Contracts.Agent.Attribute { Name = ServiceDiscovery.AddressAttribute, Value = "198.51.100.7" }));
        await cluster.Api.TaskDefinitions.RegisterTaskDefinitionAsync(new RegisterTaskDefinitionRequest
        {
            Family = "checked",
            ContainerDefinitions =
            [
                new ContainerDefinition
                {
                    Name = "web", Image = "local/busybox:1", Memory = 128, PortMappings = [new PortMapping { ContainerPort = 80 }],
                    HealthCheck = new HealthCheck { Command = ["CMD-SHELL", "true"] },
                },
            ],
        }, Token);
        await cluster.RegisterAsync(memory: 128);
        await CreateGroupAsync(cluster);
        await CreateGroupAsync(cluster, "other");
        await CreateServiceAsync(cluster, "web", "web", 2);
        await CreateServiceAsync(cluster, "checked", "checked", 1, group: "other");
        var web = TasksOf(cluster, "web");
        var checkedTask = Assert.Single(TasksOf(cluster, "checked"));

        Assert.Empty(LoadBalancerTargets.All(cluster.Store.Current)["web"]); // placed, not running
        await ReportAsync(cluster, instance, 1, web[0], Status.Running, "UNKNOWN", 40000);
        await ReportAsync(cluster, instance, 2, web[1], Status.Pending, "UNKNOWN", 40001);
        await ReportAsync(cluster, instance, 3, checkedTask, Status.Running, "UNKNOWN", 40002);
        var first = LoadBalancerTargets.All(cluster.Store.Current);
        await ReportAsync(cluster, instance, 4, checkedTask, Status.Running, "HEALTHY", 40002);
        await ReportAsync(cluster, instance, 5, web[1], Status.Running, "UNKNOWN", 40001);
        var second = LoadBalancerTargets.All(cluster.Store.Current);

        Assert.Equal(["198.51.100.7:40000"], first["web"].Select(t => t.Endpoint));
        Assert.Empty(first["other"]);
        Assert.Equal(["198.51.100.7:40000", "198.51.100.7:40001"], second["web"].Select(t => t.Endpoint).Order(StringComparer.Ordinal));
        Assert.Equal("198.51.100.7:40002", Assert.Single(second["other"]).Endpoint);
        var config = Assert.Single(BalancerConfiguration.From(cluster.Store.Current.With(new ListenerRecord
        {
            Arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/orch/8088/0123456789abcdef", Port = 8088, Protocol = "HTTP", TargetGroup = "web",
        })));
        var destinations = Assert.Single(config.Clusters).Destinations!;
        Assert.Equal(["http://198.51.100.7:40000/", "http://198.51.100.7:40001/"], destinations.Values.Select(d => d.Address).Order(StringComparer.Ordinal));
        Assert.Equal(TimeSpan.FromSeconds(5), config.Clusters[0].HealthCheck!.Active!.Interval);
    }

    [Fact]
    public async Task ScaleIn_RegisteredTask_DrainsForTheDelay_ThenItsAgentIsToldToStop()
    {
        using var cluster = new TestCluster();
        var (instance, session, tasks) = await RunningServiceAsync(cluster, delay: 5);
        var monitor = new DrainMonitor(cluster.Store, cluster.Dispatcher, cluster.Clock);
        Drain(session);

        await cluster.Api.Services.UpdateServiceAsync(new UpdateServiceRequest { Service = "web", DesiredCount = 1 }, Token);
        await cluster.Scheduler.ReconcileAsync(cluster.Store.Current.Services.Values.Single().Arn, Token);
        var draining = cluster.Store.Current.Tasks.Values.Single(t => t.Task.DesiredStatus == TaskStatus.Stopped);
        var targets = LoadBalancerTargets.All(cluster.Store.Current)["web"];
        var sentWhileDraining = Drain(session);
        cluster.Clock.Advance(TimeSpan.FromSeconds(4));
        var early = await monitor.RunOnceAsync(Token);
        cluster.Clock.Advance(TimeSpan.FromSeconds(1));
        var ended = await monitor.RunOnceAsync(Token);
        var sentAfter = Drain(session);

        Assert.Equal(TaskStatus.Running, draining.Task.LastStatus);
        Assert.Equal(cluster.Clock.GetUtcNow(), draining.DrainingUntil);
        Assert.DoesNotContain(targets, t => t.TaskArn == draining.Arn);
        Assert.Single(targets);
        Assert.DoesNotContain(sentWhileDraining, m => m.StopTask is not null);
        Assert.Empty(early);
        Assert.Equal(draining.Arn, Assert.Single(ended).Arn);
        Assert.Equal(draining.Arn, Assert.Single(sentAfter, m => m.StopTask is not null).StopTask.TaskArn);
        Assert.Null(cluster.Store.Current.Task(draining.Arn)!.DrainingUntil);
        Assert.Equal(2, tasks.Count);
        Assert.NotNull(instance);
    }

    [Fact]
    public async Task StopTask_ServiceTarget_Drains_OtherTaskStopsAtOnce()
    {
        using var cluster = new TestCluster();
        var (_, session, tasks) = await RunningServiceAsync(cluster, delay: 3);
        var standalone = Assert.Single((await cluster.RunAsync()).Tasks).TaskArn;
        Drain(session);

        var stopped = await cluster.Api.Tasks.StopTaskAsync(new StopTaskRequest { Task = tasks[0] }, Token);
        var sentForTarget = Drain(session);
        await cluster.Api.Tasks.StopTaskAsync(new StopTaskRequest { Task = standalone }, Token);
        var sentForStandalone = Drain(session);
        cluster.Clock.Advance(TimeSpan.FromSeconds(3));
        await new DrainMonitor(cluster.Store, cluster.Dispatcher, cluster.Clock).RunOnceAsync(Token);
        var sentAfterDelay = Drain(session);

        Assert.Equal((TaskStatus.Running, TaskStatus.Stopped), (stopped.Task.LastStatus, stopped.Task.DesiredStatus));
        Assert.DoesNotContain(sentForTarget, m => m.StopTask is not null);
        Assert.Equal(standalone, Assert.Single(sentForStandalone, m => m.StopTask is not null).StopTask.TaskArn);
        Assert.Equal(tasks[0], Assert.Single(sentAfterDelay, m => m.StopTask is not null).StopTask.TaskArn);
    }

    [Fact]
    public void RoutePath_ListenerPatterns_InYarpSyntax()
    {
        Assert.Equal("/{**catchall}", BalancerConfiguration.RoutePath(null));
        Assert.Equal("/api/{**rest}", BalancerConfiguration.RoutePath("/api/*"));
        Assert.Equal("/exact", BalancerConfiguration.RoutePath("/exact"));
        Assert.Equal("web", LoadBalancerNames.TargetGroupName("arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef"));
        Assert.Null(LoadBalancerNames.TargetGroupName("arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/web/0123456789abcdef"));
    }

    private static async Task<(string Instance, AgentSession Session, List<string> Tasks)> RunningServiceAsync(TestCluster cluster, int delay)
    {
        await cluster.Api.Clusters.CreateClusterAsync(new CreateClusterRequest(), Token);
        var (instance, session) = await cluster.AddInstanceAsync(r => r.Attributes.Add(new Contracts.Agent.Attribute { Name = ServiceDiscovery.AddressAttribute, Value = "198.51.100.7" }));
        await cluster.RegisterAsync(memory: 128);
        await CreateGroupAsync(cluster, delay: delay);
        await CreateServiceAsync(cluster, "web", "web", 2);
        var tasks = TasksOf(cluster, "web");
        for (var i = 0; i < tasks.Count; i++)
        {
            await ReportAsync(cluster, instance, (ulong)(i + 1), tasks[i], Status.Running, "UNKNOWN", 40000 + i);
        }

        Assert.Equal(2, LoadBalancerTargets.All(cluster.Store.Current)["web"].Count);
        return (instance, session, tasks);
    }

    private static async Task CreateServiceAsync(TestCluster cluster, string name, string definition, int count, string group = "web")
    {
        var created = await cluster.Api.Services.CreateServiceAsync(new CreateServiceRequest
        {
            ServiceName = name, TaskDefinition = definition, DesiredCount = count,
            LoadBalancers = [new LoadBalancer { TargetGroupArn = group, ContainerName = "web", ContainerPort = 80 }],
        }, Token);
        await cluster.Scheduler.ReconcileAsync(created.Service.ServiceArn, Token);
    }

    private static List<string> TasksOf(TestCluster cluster, string service) =>
        cluster.Store.Current.Tasks.Values.Where(t => t.Task.Group == "service:" + service).Select(t => t.Arn).Order(StringComparer.Ordinal).ToList();

    private static List<ControlMessage> Drain(AgentSession session)
    {
        var messages = new List<ControlMessage>();
        while (TestCluster.NextMessage(session) is { } message)
        {
            messages.Add(message);
        }

        return messages;
    }

    private static Task ReportAsync(TestCluster cluster, string instance, ulong sequence, string task, Status status, string health, int hostPort)
    {
        var state = new TaskState { TaskArn = task, LastStatus = status, HealthStatus = health };
        var container = new ContainerState { Name = "web", LastStatus = status, HealthStatus = health };
        container.NetworkBindings.Add(new Contracts.Agent.NetworkBinding { BindIp = "0.0.0.0", ContainerPort = 80, HostPort = hostPort, Protocol = "tcp" });
        state.Containers.Add(container);
        return cluster.Reports.ApplyAsync(instance, new TaskStateChange { Sequence = sequence, Task = state }, Token);
    }
}
