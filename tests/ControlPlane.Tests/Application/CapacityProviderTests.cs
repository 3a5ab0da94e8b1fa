using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.ControlPlane.Capacity;
using Orchestrator.ControlPlane.Scheduling;
using Orchestrator.Contracts.Agent;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;
using TaskStatus = Orchestrator.Ecs.Model.TaskStatus;

namespace Orchestrator.ControlPlane.Tests.Application;

/// <summary>
/// Capacity providers over the state database: ECS's validation errors, a service's strategy split over two groups of
/// instances chosen by attribute, the reservation figure, the scaling hook's call (a real script) and what survives a
/// control-plane restart.
/// </summary>
public sealed class CapacityProviderTests
{
    private static CancellationToken Token => TestCluster.Token;

    private static async Task<(string A, string B)> TwoPoolsAsync(TestCluster cluster, string a = "a", string b = "b")
    {
        // pa is "attribute:pool == a"; pb names the group "b" by ARN, i.e. attribute orch.capacity-group == b.
        var (hostA, _) = await cluster.AddInstanceAsync(r => r.Attributes.Add(new Contracts.Agent.Attribute { Name = "pool", Value = a }));
        var (hostB, _) = await cluster.AddInstanceAsync(r =>
        {
            r.Attributes.Add(new Contracts.Agent.Attribute { Name = "pool", Value = b });
            r.Attributes.Add(new Contracts.Agent.Attribute { Name = CapacityGroups.GroupAttribute, Value = b });
        });
        return (hostA, hostB);
    }

    private static Task<string> Call(TestCluster cluster, string action, string json) => cluster.Actions.InvokeAsync(action, json, Token);

    private static async Task ProvidersAsync(TestCluster cluster, string scaling = "")
    {
        await Call(cluster, "CreateCapacityProvider", """{"name":"pa","autoScalingGroupProvider":{"autoScalingGroupArn":"attribute:pool == a"SCALING}}""".Replace("SCALING", scaling, StringComparison.Ordinal));
        await Call(cluster, "CreateCapacityProvider",
            """{"name":"pb","autoScalingGroupProvider":{"autoScalingGroupArn":"arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:1f2e:autoScalingGroupName/b"}}""");
        await Call(cluster, "PutClusterCapacityProviders", """{"cluster":"default","capacityProviders":["pa","pb"],"defaultCapacityProviderStrategy":[]}""");
    }

    [Theory]
    [InlineData("CreateCapacityProvider", """{"name":"ecs-x","autoScalingGroupProvider":{"autoScalingGroupArn":"attribute:pool == a"}}""", EcsErrors.InvalidParameter, "cannot begin with")]
    [InlineData("CreateCapacityProvider", """{"name":"x"}""", EcsErrors.InvalidParameter, "autoScalingGroupProvider is required")]
    [InlineData("CreateCapacityProvider", """{"name":"x","autoScalingGroupProvider":{"autoScalingGroupArn":"attribute:pool =="}}""", EcsErrors.InvalidParameter, "not a valid cluster query expression")]
    [InlineData("CreateCapacityProvider", """{"name":"x","autoScalingGroupProvider":{"autoScalingGroupArn":"arn:aws:autoscaling:us-east-1:1:nope"}}""", EcsErrors.InvalidParameter, "autoScalingGroupName/NAME")]
    [InlineData("CreateCapacityProvider", """{"name":"x","autoScalingGroupProvider":{"autoScalingGroupArn":"attribute:pool == a","managedScaling":{"status":"ENABLED","targetCapacity":0}}}""", EcsErrors.InvalidParameter, "targetCapacity must be between 1 and 100")]
    [InlineData("CreateCapacityProvider", """{"name":"x","autoScalingGroupProvider":{"autoScalingGroupArn":"attribute:pool == a","managedScaling":{"minimumScalingStepSize":5,"maximumScalingStepSize":2}}}""", EcsErrors.InvalidParameter, "cannot be greater than")]
    [InlineData("CreateCapacityProvider", """{"name":"x","autoScalingGroupProvider":{"autoScalingGroupArn":"attribute:pool == a","managedTerminationProtection":"ENABLED"}}""", EcsErrors.InvalidParameter, "requires managed scaling")]
    [InlineData("CreateCapacityProvider", """{"name":"pa","autoScalingGroupProvider":{"autoScalingGroupArn":"attribute:pool == a"}}""", EcsErrors.Client, "already exists")]
    [InlineData("RunTask", """{"taskDefinition":"web","launchType":"EC2","capacityProviderStrategy":[{"capacityProvider":"pa","weight":1}]}""", EcsErrors.InvalidParameter, "Specifying both a launch type and capacity provider strategy")]
    [InlineData("RunTask", """{"taskDefinition":"web","capacityProviderStrategy":[{"capacityProvider":"nope","weight":1}]}""", EcsErrors.InvalidParameter, "not associated with the cluster")]
    [InlineData("RunTask", """{"taskDefinition":"web","capacityProviderStrategy":[{"capacityProvider":"pa","base":1,"weight":1},{"capacityProvider":"pb","base":1,"weight":1}]}""", EcsErrors.InvalidParameter, "base defined for only one")]
    [InlineData("RunTask", """{"taskDefinition":"web","capacityProviderStrategy":[{"capacityProvider":"pa","base":1}]}""", EcsErrors.InvalidParameter, "weight greater than 0")]
    [InlineData("RunTask", """{"taskDefinition":"web","capacityProviderStrategy":[{"capacityProvider":"pa","weight":1001}]}""", EcsErrors.InvalidParameter, "weight must be between 0 and 1000")]
    [InlineData("CreateService", """{"serviceName":"s","taskDefinition":"web","desiredCount":1,"launchType":"EC2","capacityProviderStrategy":[{"capacityProvider":"pa","weight":1}]}""", EcsErrors.InvalidParameter, "Specifying both")]
    [InlineData("PutClusterCapacityProviders", """{"cluster":"default","capacityProviders":["nope"],"defaultCapacityProviderStrategy":[]}""", EcsErrors.InvalidParameter, "does not exist")]
    [InlineData("PutClusterCapacityProviders", """{"cluster":"default","capacityProviders":["pa"],"defaultCapacityProviderStrategy":[{"capacityProvider":"pb","weight":1}]}""", EcsErrors.InvalidParameter, "not associated with the cluster")]
    [InlineData("DeleteCapacityProvider", """{"capacityProvider":"pa"}""", EcsErrors.Client, "associated with the cluster default")]
    [InlineData("DescribeCapacityProviders", """{"maxResults":11}""", EcsErrors.InvalidParameter, "maxResults must be between 1 and 10")]
    public async Task InvalidRequests_AreRefusedAsEcsRefusesThem(string action, string json, string errorType, string message)
    {
        using var cluster = new TestCluster();
        await TwoPoolsAsync(cluster);
        await cluster.RegisterAsync();
        await ProvidersAsync(cluster);

        var error = await Assert.ThrowsAsync<EcsException>(() => Call(cluster, action, json));

        Assert.Equal(errorType, error.ErrorType);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Service_Base1OnA_Weights1To3_NineTasks_Places3OnA_6OnB_AndRemovingAProviderInUseIsRefused()
    {
        using var cluster = new TestCluster();
        var (hostA, hostB) = await TwoPoolsAsync(cluster);
        await cluster.RegisterAsync(memory: 256, cpu: 128);
        await ProvidersAsync(cluster);

        var created = JsonDocument.Parse(await Call(cluster, "CreateService", """
            {"serviceName":"web","taskDefinition":"web","desiredCount":9,
             "capacityProviderStrategy":[{"capacityProvider":"pa","base":1,"weight":1},{"capacityProvider":"pb","weight":3}]}
            """)).RootElement.GetProperty("service");
        await cluster.Scheduler.ReconcileAsync(created.GetProperty("serviceArn").GetString()!, Token);
        var tasks = cluster.Store.Current.Tasks.Values.ToList();

        Assert.False(created.TryGetProperty("launchType", out _));
        Assert.Equal(1, created.GetProperty("capacityProviderStrategy")[0].GetProperty("base").GetInt32());
        Assert.Equal(3, tasks.Count(t => t.Task.ContainerInstanceArn == hostA && t.Task.CapacityProviderName == "pa"));
        Assert.Equal(6, tasks.Count(t => t.Task.ContainerInstanceArn == hostB && t.Task.CapacityProviderName == "pb"));
        Assert.All(tasks, t => Assert.Null(t.Task.LaunchType));
        var inUse = await Assert.ThrowsAsync<EcsException>(() =>
            Call(cluster, "PutClusterCapacityProviders", """{"cluster":"default","capacityProviders":["pa"],"defaultCapacityProviderStrategy":[]}"""));
        Assert.Equal(EcsErrors.ResourceInUse, inUse.ErrorType);

        // Scaled to 13: the 4 new tasks go where the split of 13 (A 1 + 3, B 9) lacks them.
        await Call(cluster, "UpdateService", """{"service":"web","desiredCount":13}""");
        await cluster.Scheduler.ReconcileAsync(created.GetProperty("serviceArn").GetString()!, Token);
        tasks = [.. cluster.Store.Current.Tasks.Values];
        Assert.Equal(4, tasks.Count(t => t.Task.ContainerInstanceArn == hostA));
        Assert.Equal(9, tasks.Count(t => t.Task.ContainerInstanceArn == hostB));
    }

    [Fact]
    public async Task StopServiceDeployment_Rollback_OfAStrategyService_KeepsTheStrategy_AndNoLaunchType()
    {
        using var cluster = new TestCluster();
        var (_, hostB) = await TwoPoolsAsync(cluster);
        await cluster.RegisterAsync(memory: 256, cpu: 128);
        await cluster.RegisterAsync(memory: 256, cpu: 128);
        await ProvidersAsync(cluster);
        await Call(cluster, "CreateService", """{"serviceName":"web","taskDefinition":"web:1","desiredCount":2,"capacityProviderStrategy":[{"capacityProvider":"pb","weight":1}]}""");
        var arn = cluster.Store.Current.Services.Values.Single().Arn;
        await cluster.Scheduler.ReconcileAsync(arn, Token);
        await cluster.ReportAllAsync(Status.Running);
        await cluster.Scheduler.ReconcileAsync(arn, Token);
        await Call(cluster, "UpdateService", """{"service":"web","taskDefinition":"web:2"}""");
        var inProgress = JsonDocument.Parse(await Call(cluster, "ListServiceDeployments", """{"service":"web","status":["IN_PROGRESS"]}"""))
            .RootElement.GetProperty("serviceDeployments")[0].GetProperty("serviceDeploymentArn").GetString();

        await Call(cluster, "StopServiceDeployment", $$"""{"serviceDeploymentArn":"{{inProgress}}","stopType":"ROLLBACK"}""");
        await cluster.Scheduler.ReconcileAsync(arn, Token);

        var service = JsonDocument.Parse(await Call(cluster, "DescribeServices", """{"services":["web"]}""")).RootElement.GetProperty("services")[0];
        var primary = service.GetProperty("deployments").EnumerateArray().Single(d => d.GetProperty("status").GetString() == "PRIMARY");
        Assert.EndsWith("task-definition/web:1", primary.GetProperty("taskDefinition").GetString(), StringComparison.Ordinal);
        Assert.False(primary.TryGetProperty("launchType", out _));
        Assert.Equal("pb", primary.GetProperty("capacityProviderStrategy")[0].GetProperty("capacityProvider").GetString());
        Assert.All(cluster.Store.Current.Tasks.Values.Where(t => t.Task.DesiredStatus == TaskStatus.Running), t =>
        {
            Assert.Equal(hostB, t.Task.ContainerInstanceArn);
            Assert.Null(t.Task.LaunchType);
        });
    }

    [Fact]
    public async Task RunTask_ClusterDefaultStrategy_UsedWithoutLaunchType_TasksNameTheirProvider()
    {
        using var cluster = new TestCluster();
        var (hostA, hostB) = await TwoPoolsAsync(cluster);
        await cluster.RegisterAsync(memory: 256, cpu: 128);
        await ProvidersAsync(cluster);
        await Call(cluster, "PutClusterCapacityProviders",
            """{"cluster":"default","capacityProviders":["pa","pb"],"defaultCapacityProviderStrategy":[{"capacityProvider":"pa","weight":1},{"capacityProvider":"pb","weight":4}]}""");

        var run = JsonDocument.Parse(await Call(cluster, "RunTask", """{"taskDefinition":"web","count":10}""")).RootElement.GetProperty("tasks");
        var withType = JsonDocument.Parse(await Call(cluster, "RunTask", """{"taskDefinition":"web","launchType":"EC2"}""")).RootElement.GetProperty("tasks")[0];

        Assert.Equal(2, run.EnumerateArray().Count(t => t.GetProperty("capacityProviderName").GetString() == "pa" && t.GetProperty("containerInstanceArn").GetString() == hostA));
        Assert.Equal(8, run.EnumerateArray().Count(t => t.GetProperty("capacityProviderName").GetString() == "pb" && t.GetProperty("containerInstanceArn").GetString() == hostB));
        Assert.Equal("EC2", withType.GetProperty("launchType").GetString());
        Assert.False(withType.TryGetProperty("capacityProviderName", out _));
    }

    [Fact]
    public async Task ProvidersClusterDefaultsAndServiceStrategy_SurviveARestart_AndDeleteWorksOnceDetached()
    {
        var first = new TestCluster();
        await TwoPoolsAsync(first);
        await first.RegisterAsync();
        await ProvidersAsync(first, scaling: ""","managedScaling":{"status":"ENABLED","targetCapacity":80,"minimumScalingStepSize":2},"managedTerminationProtection":"ENABLED" """);
        await Call(first, "PutClusterCapacityProviders",
            """{"cluster":"default","capacityProviders":["pa","pb"],"defaultCapacityProviderStrategy":[{"capacityProvider":"pb","weight":2,"base":1}]}""");
        await Call(first, "CreateService", """{"serviceName":"web","taskDefinition":"web","desiredCount":0}""");

        using var cluster = first.Restart();
        var described = JsonDocument.Parse(await Call(cluster, "DescribeCapacityProviders", """{"capacityProviders":["pa","nope"]}""")).RootElement;
        var clusterView = JsonDocument.Parse(await Call(cluster, "DescribeClusters", """{"clusters":["default"]}""")).RootElement.GetProperty("clusters")[0];
        var service = JsonDocument.Parse(await Call(cluster, "DescribeServices", """{"services":["web"]}""")).RootElement.GetProperty("services")[0];

        var provider = described.GetProperty("capacityProviders")[0];
        Assert.Equal("attribute:pool == a", provider.GetProperty("autoScalingGroupProvider").GetProperty("autoScalingGroupArn").GetString());
        var scaling = provider.GetProperty("autoScalingGroupProvider").GetProperty("managedScaling");
        Assert.Equal(("ENABLED", 80, 2, 10000, 300), (scaling.GetProperty("status").GetString(), scaling.GetProperty("targetCapacity").GetInt32(),
            scaling.GetProperty("minimumScalingStepSize").GetInt32(), scaling.GetProperty("maximumScalingStepSize").GetInt32(), scaling.GetProperty("instanceWarmupPeriod").GetInt32()));
        Assert.Equal("ENABLED", provider.GetProperty("autoScalingGroupProvider").GetProperty("managedTerminationProtection").GetString());
        Assert.Equal("MISSING", described.GetProperty("failures")[0].GetProperty("reason").GetString());
        Assert.Equal(["pa", "pb"], clusterView.GetProperty("capacityProviders").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("pb", clusterView.GetProperty("defaultCapacityProviderStrategy")[0].GetProperty("capacityProvider").GetString());
        Assert.Equal("pb", service.GetProperty("capacityProviderStrategy")[0].GetProperty("capacityProvider").GetString());

        var inUse = await Assert.ThrowsAsync<EcsException>(() =>
            Call(cluster, "PutClusterCapacityProviders", """{"cluster":"default","capacityProviders":["pa"],"defaultCapacityProviderStrategy":[]}"""));
        Assert.Equal(EcsErrors.ResourceInUse, inUse.ErrorType);
        await Call(cluster, "PutClusterCapacityProviders", """{"cluster":"default","capacityProviders":["pb"],"defaultCapacityProviderStrategy":[]}""");
        var deleted = JsonDocument.Parse(await Call(cluster, "DeleteCapacityProvider", """{"capacityProvider":"pa"}""")).RootElement.GetProperty("capacityProvider");
        Assert.Equal(("INACTIVE", "DELETE_COMPLETE"), (deleted.GetProperty("status").GetString(), deleted.GetProperty("updateStatus").GetString()));
        Assert.Null(cluster.Store.Current.CapacityProvider("pa"));
    }

    [Fact]
    public async Task Reservation_CountsUnplacedServiceTasks_AndTheHookIsAskedForTheInstancesTheyNeed_NeverRemovingAProtectedHost()
    {
        using var cluster = new TestCluster();
        var (hostA, hostB) = await TwoPoolsAsync(cluster, "a", "a");
        await cluster.RegisterAsync(memory: 512, cpu: 128);
        await Call(cluster, "CreateCapacityProvider", """
            {"name":"pa","autoScalingGroupProvider":{"autoScalingGroupArn":"attribute:pool == a",
             "managedScaling":{"status":"ENABLED","targetCapacity":100,"maximumScalingStepSize":1,"instanceWarmupPeriod":0},"managedTerminationProtection":"ENABLED"}}
            """);
        await Call(cluster, "PutClusterCapacityProviders", """{"cluster":"default","capacityProviders":["pa"],"defaultCapacityProviderStrategy":[{"capacityProvider":"pa","weight":1}]}""");
        var service = JsonDocument.Parse(await Call(cluster, "CreateService", """{"serviceName":"web","taskDefinition":"web","desiredCount":20}"""))
            .RootElement.GetProperty("service").GetProperty("serviceArn").GetString()!;
        await cluster.Scheduler.ReconcileAsync(service, Token);

        // 2 hosts of 4096 MiB hold 16 tasks of 512 MiB; 4 wait: one fresh host's worth. M = 2 + 1, N = 2.
        var plan = CapacityReservation.Plan(cluster.Store.Current, cluster.Store.Current.Cluster("default")!, cluster.Store.Current.CapacityProvider("pa")!, cluster.Clock.GetUtcNow());
        Assert.Equal(16, cluster.Store.Current.Tasks.Count);
        Assert.Equal((150.0, 3, 2, 4, 3), (plan.Reservation.Value, plan.Reservation.InstancesNeeded, plan.Reservation.Instances, plan.Reservation.UnplacedTasks, plan.Desired));
        var described = Assert.Single(cluster.Api.Clusters.DescribeCapacityProviderReservations("default").Reservations);
        Assert.Equal(("pa", 150.0, 3), (described.CapacityProvider, described.Value, described.DesiredInstances));

        var output = Path.Combine(cluster.Directory, "hook.out");
        var (scaler, hook) = Scaler(cluster, output);
        await scaler.RunOnceAsync(Token); // a new figure waits one pass
        Assert.False(File.Exists(output));
        await scaler.RunOnceAsync(Token);
        Assert.Equal("--cluster default --capacity-provider pa --desired 3 --current 2", File.ReadAllText(output).Trim());

        // Down to 1 task, protected: M = 1, N = 2 → 1 instance; the hook is told to remove the other host only.
        File.Delete(output);
        await Call(cluster, "UpdateService", """{"service":"web","desiredCount":1}""");
        await cluster.Scheduler.ReconcileAsync(service, Token);
        await cluster.CompleteStopsAsync();
        var kept = cluster.Store.Current.Tasks.Values.Single(t => t.Task.DesiredStatus == TaskStatus.Running);
        await Call(cluster, "UpdateTaskProtection", $$"""{"tasks":["{{kept.Arn}}"],"protectionEnabled":true}""");
        var other = kept.Task.ContainerInstanceArn == hostA ? hostB : hostA;
        await scaler.RunOnceAsync(Token);
        await scaler.RunOnceAsync(Token);
        Assert.Equal($"--cluster default --capacity-provider pa --desired 1 --current 2 --remove {other}", File.ReadAllText(output).Trim());
        Assert.True(hook.IsConfigured);
    }

    [Fact]
    public async Task FailingHook_IsRetriedWithBackoff_AndNeverThrows()
    {
        using var cluster = new TestCluster();
        await TwoPoolsAsync(cluster, "a", "a");
        await Call(cluster, "CreateCapacityProvider", """
            {"name":"pa","autoScalingGroupProvider":{"autoScalingGroupArn":"attribute:pool == a","managedScaling":{"status":"ENABLED","instanceWarmupPeriod":0}}}
            """);
        await Call(cluster, "PutClusterCapacityProviders", """{"cluster":"default","capacityProviders":["pa"],"defaultCapacityProviderStrategy":[]}""");
        var output = Path.Combine(cluster.Directory, "hook.out");
        var (scaler, _) = Scaler(cluster, output, exitCode: 3);

        // No tasks: M = 0, N = 2 → desired 0 (two empty hosts to remove). The hook fails; the next try waits 2 intervals.
        await scaler.RunOnceAsync(Token);
        await scaler.RunOnceAsync(Token);
        var calls = File.ReadAllLines(output).Length;
        await scaler.RunOnceAsync(Token);
        Assert.Equal(1, calls);
        Assert.Equal(calls, File.ReadAllLines(output).Length);
        cluster.Clock.Advance(TimeSpan.FromSeconds(2));
        await scaler.RunOnceAsync(Token);
        Assert.Equal(2, File.ReadAllLines(output).Length);
    }

    private static (CapacityScaler Scaler, ScalingHook Hook) Scaler(TestCluster cluster, string output, int exitCode = 0)
    {
        var script = Path.Combine(cluster.Directory, "hook.sh");
        File.WriteAllText(script, $"#!/bin/sh\necho \"$@\" >> '{output}'\nexit {exitCode}\n");
        if (OperatingSystem.IsLinux())
        {
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var options = Microsoft.Extensions.Options.Options.Create(new ControlPlaneOptions { ScalingHook = script, ScalingInterval = TimeSpan.FromSeconds(1) });
        var hook = new ScalingHook(options, NullLogger<ScalingHook>.Instance);
        return (new CapacityScaler(cluster.Store, hook, options, cluster.Clock, NullLogger<CapacityScaler>.Instance), hook);
    }
}
