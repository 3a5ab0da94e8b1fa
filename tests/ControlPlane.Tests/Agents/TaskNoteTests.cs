using Orchestrator.ControlPlane.Agents;
using Orchestrator.Contracts.Agent;

namespace Orchestrator.ControlPlane.Tests.Agents;

/// <summary>
/// An agent's task notes (image pull progress): added to the task's events with the control plane's time, control
/// characters dropped and cut to a bounded length, and only for a task placed on the instance that sends them.
/// </summary>
public sealed class TaskNoteTests
{
    [Fact]
    public async Task Note_FromTheTasksInstance_IsInItsEvents()
    {
        using var cluster = new TestCluster();
        await cluster.RegisterAsync();
        var (arn, _) = await cluster.AddInstanceAsync();
        var task = Assert.Single((await cluster.RunAsync()).Tasks);

        await cluster.Reports.NoteAsync(arn, new TaskNote { TaskArn = task.TaskArn, Message = "pulling image r:5000/app:1: 1.0 MB of 8.4 MB (2 layers)\n\u001b[2J" }, TestCluster.Token);
        await cluster.Reports.NoteAsync(arn, new TaskNote { TaskArn = task.TaskArn, Message = new string('x', 5000) }, TestCluster.Token);

        var events = cluster.Store.Current.Task(task.TaskArn)!.Events;
        Assert.Contains(events, e => e.Message == "pulling image r:5000/app:1: 1.0 MB of 8.4 MB (2 layers)[2J" && e.At == cluster.Clock.GetUtcNow());
        Assert.Contains(events, e => e.Message == new string('x', SessionReports.MaxNoteLength));
    }

    [Fact]
    public async Task Note_FromAnotherInstance_IsIgnored()
    {
        using var cluster = new TestCluster();
        await cluster.RegisterAsync();
        var (first, _) = await cluster.AddInstanceAsync(cpu: 256, memory: 512);
        var task = Assert.Single((await cluster.RunAsync()).Tasks);
        var (second, _) = await cluster.AddInstanceAsync();
        var other = task.ContainerInstanceArn == first ? second : first;

        await cluster.Reports.NoteAsync(other, new TaskNote { TaskArn = task.TaskArn, Message = "forged" }, TestCluster.Token);
        await cluster.Reports.NoteAsync(other, new TaskNote { TaskArn = "arn:aws:ecs:us-east-1:123456789012:task/default/nope", Message = "unknown" }, TestCluster.Token);

        Assert.DoesNotContain(cluster.Store.Current.Task(task.TaskArn)!.Events, e => e.Message == "forged");
    }
}
