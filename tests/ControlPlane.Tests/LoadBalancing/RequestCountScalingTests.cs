using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Contracts.Agent;
using Orchestrator.ControlPlane.Discovery;
using Orchestrator.ControlPlane.LoadBalancing;
using Orchestrator.ControlPlane.Scaling;
using Orchestrator.ControlPlane.Tasks;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;
using Status = Orchestrator.Contracts.Agent.Status;

namespace Orchestrator.ControlPlane.Tests.LoadBalancing;

/// <summary>
/// Target tracking on ALBRequestCountPerTarget: the balancer's request count for the target group named by
/// ResourceLabel, per minute and per target, drives the desired count (fake clock, real state and scheduler); a label
/// naming no target group is refused.
/// </summary>
public sealed class RequestCountScalingTests
{
    private static CancellationToken Token => TestCluster.Token;
    private const string Resource = "service/default/web";

    [Fact]
    public async Task RequestsPerTargetAboveTarget_ScalesOutWithinMax_MetricInEvents()
    {
        using var cluster = new TestCluster();
        await cluster.Api.Clusters.CreateClusterAsync(new CreateClusterRequest(), Token);
        var (instance, _) = await cluster.AddInstanceAsync(r => r.Attributes.Add(new Contracts.Agent.Attribute { Name = ServiceDiscovery.AddressAttribute, Value = "198.51.100.7" }), cpu: 8192, memory: 8192);
        await cluster.RegisterAsync(cpu: 128, memory: 64);
        var balancers = new LoadBalancerActions(cluster.Store, cluster.Arns, cluster.Clock);
        var group = Assert.Single((await balancers.CreateTargetGroupAsync(new TargetGroupInput { Name = "web" }, Token)).TargetGroups);
        var service = (await cluster.Api.Services.CreateServiceAsync(new CreateServiceRequest
        {
            ServiceName = "web", TaskDefinition = "web", DesiredCount = 1,
            LoadBalancers = [new LoadBalancer { TargetGroupArn = "web", ContainerName = "web", ContainerPort = 80 }],
        }, Token)).Service;
        await cluster.Scheduler.ReconcileAsync(service.ServiceArn, Token);
        var task = Assert.Single(cluster.Store.Current.Tasks.Values).Arn;
        var state = new TaskState { TaskArn = task, LastStatus = Status.Running };
        var container = new ContainerState { Name = "web", LastStatus = Status.Running };
        container.NetworkBindings.Add(new Contracts.Agent.NetworkBinding { BindIp = "0.0.0.0", ContainerPort = 80, HostPort = 40000, Protocol = "tcp" });
        state.Containers.Add(container);
        await cluster.Reports.ApplyAsync(instance, new TaskStateChange { Sequence = 1, Task = state }, Token);
        var scaling = new AutoScalingActions(cluster.Store, cluster.Arns, cluster.Clock);
        await scaling.InvokeAsync("RegisterScalableTarget", $$"""{"ServiceNamespace":"ecs","ResourceId":"{{Resource}}","ScalableDimension":"ecs:service:DesiredCount","MinCapacity":1,"MaxCapacity":3}""", Token);
        var label = "app/orch/0/" + group.TargetGroupArn[(group.TargetGroupArn.IndexOf("targetgroup/", StringComparison.Ordinal))..];
        var refused = await Assert.ThrowsAsync<EcsException>(() => scaling.InvokeAsync("PutScalingPolicy", Policy("app/orch/0/targetgroup/nope/0123456789abcdef"), Token));
        await scaling.InvokeAsync("PutScalingPolicy", Policy(label), Token);
        var counter = new RequestCounter();
        var scaler = new AutoScaler(cluster.Store, cluster.Api.Services, new TaskUsageWindow(cluster.Clock), cluster.Arns,
            Microsoft.Extensions.Options.Options.Create(new AutoScalingOptions { Interval = TimeSpan.FromSeconds(10) }), cluster.Clock,
            NullLogger<AutoScaler>.Instance, counter);

        await scaler.RunOnceAsync(Token); // the first pass only takes the count's baseline
        var before = cluster.Store.Current.Service(service.ServiceArn)!.DesiredCount;
        for (var i = 0; i < 600; i++)
        {
            counter.Count("web");
        }

        cluster.Clock.Advance(TimeSpan.FromMinutes(1));
        await scaler.RunOnceAsync(Token);
        var after = cluster.Store.Current.Service(service.ServiceArn)!;

        Assert.Contains("target group nope", refused.Message, StringComparison.Ordinal);
        Assert.Equal(1, before);
        Assert.Equal(3, after.DesiredCount); // ceil(1 × 600 / 100) = 6, at most 3
        Assert.Contains(after.Events, e => e.Message.Contains("ALBRequestCountPerTarget 600", StringComparison.Ordinal));
    }

    private static string Policy(string label) => $$$"""
        {"PolicyName":"requests","ServiceNamespace":"ecs","ResourceId":"{{{Resource}}}","ScalableDimension":"ecs:service:DesiredCount",
         "PolicyType":"TargetTrackingScaling","TargetTrackingScalingPolicyConfiguration":{"TargetValue":100,
         "PredefinedMetricSpecification":{"PredefinedMetricType":"ALBRequestCountPerTarget","ResourceLabel":"{{{label}}}"},"ScaleOutCooldown":0,"ScaleInCooldown":0}}
        """;
}
