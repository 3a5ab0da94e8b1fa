using Orchestrator.Contracts.Agent;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;
using TaskStatus = Orchestrator.Ecs.Model.TaskStatus;

namespace Orchestrator.ControlPlane.Tests.Application;

/// <summary>
/// UpdateTaskProtection and GetTaskProtection as ECS has them: only a service's tasks, 120 minutes by default, and a
/// protected task is spared by the service's scale-in until its protection expires.
/// </summary>
public sealed class TaskProtectionTests
{
    private static CancellationToken Token => TestCluster.Token;

    [Fact]
    public async Task ProtectedServiceTask_SurvivesScaleIn_UntilItsProtectionExpires()
    {
        using var cluster = new TestCluster();
        await cluster.AddInstanceAsync();
        await cluster.RegisterAsync();
        var service = await cluster.Api.Services.CreateServiceAsync(new CreateServiceRequest { ServiceName = "web", TaskDefinition = "web", DesiredCount = 2 }, Token);
        await cluster.Scheduler.ReconcileAsync(service.Service.ServiceArn!, Token);
        await cluster.ReportAllAsync(Status.Running);
        var tasks = cluster.Store.Current.Tasks.Values.Select(t => t.Arn).Order(StringComparer.Ordinal).ToList();

        var updated = await cluster.Api.Tasks.UpdateTaskProtectionAsync(
            new UpdateTaskProtectionRequest { Tasks = [tasks[0]], ProtectionEnabled = true, ExpiresInMinutes = 10 }, Token);
        await cluster.Api.Services.UpdateServiceAsync(new UpdateServiceRequest { Service = "web", DesiredCount = 0 }, Token);
        await cluster.Scheduler.ReconcileAsync(service.Service.ServiceArn!, Token);

        var protection = Assert.Single(updated.ProtectedTasks);
        Assert.True(protection.ProtectionEnabled);
        Assert.Equal(cluster.Clock.GetUtcNow().AddMinutes(10), protection.ExpirationDate);
        Assert.Equal(TaskStatus.Running, cluster.Store.Current.Task(tasks[0])!.Task.DesiredStatus);
        Assert.Equal(TaskStatus.Stopped, cluster.Store.Current.Task(tasks[1])!.Task.DesiredStatus);

        cluster.Clock.Advance(TimeSpan.FromMinutes(11));
        var expired = await cluster.Api.Tasks.GetTaskProtectionAsync(new GetTaskProtectionRequest { Tasks = [tasks[0]] }, Token);
        await cluster.Scheduler.ReconcileAsync(service.Service.ServiceArn!, Token);

        Assert.False(Assert.Single(expired.ProtectedTasks).ProtectionEnabled);
        Assert.Equal(TaskStatus.Stopped, cluster.Store.Current.Task(tasks[0])!.Task.DesiredStatus);
    }

    [Fact]
    public async Task StandaloneTask_IsNotValid_DefaultIs120Minutes_AndBadExpiryIsRefused()
    {
        using var cluster = new TestCluster();
        await cluster.AddInstanceAsync();
        await cluster.RegisterAsync();
        var standalone = Assert.Single((await cluster.RunAsync()).Tasks).TaskArn!;
        var service = await cluster.Api.Services.CreateServiceAsync(new CreateServiceRequest { ServiceName = "web", TaskDefinition = "web", DesiredCount = 1 }, Token);
        await cluster.Scheduler.ReconcileAsync(service.Service.ServiceArn!, Token);
        var serviceTask = cluster.Store.Current.Tasks.Values.Single(t => t.Arn != standalone).Arn;

        var answer = await cluster.Api.Tasks.UpdateTaskProtectionAsync(
            new UpdateTaskProtectionRequest { Tasks = [standalone, serviceTask, "0123456789abcdef0123456789abcdef"], ProtectionEnabled = true }, Token);
        var tooLong = await Assert.ThrowsAsync<EcsException>(() => cluster.Api.Tasks.UpdateTaskProtectionAsync(
            new UpdateTaskProtectionRequest { Tasks = [serviceTask], ProtectionEnabled = true, ExpiresInMinutes = 2881 }, Token));

        Assert.Equal(cluster.Clock.GetUtcNow().AddMinutes(120), Assert.Single(answer.ProtectedTasks).ExpirationDate);
        Assert.Equal(["TASK_NOT_VALID", "MISSING"], answer.Failures.Select(f => f.Reason));
        Assert.Equal(EcsErrors.InvalidParameter, tooLong.ErrorType);
    }
}
