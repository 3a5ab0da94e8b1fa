using Docker.DotNet.Models;
using Orchestrator.Ecs.Model;
using Orchestrator.Lab;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>The README's quickstart, as a user runs it: real processes, the real CLI, a real container.</summary>
public sealed class QuickstartTests
{
    [Fact(Timeout = 180_000)]
    public async Task Example_RunReachStop_ThroughTheCli()
    {
        await using var cluster = await LocalCluster.StartAsync(TestContext.Current.CancellationToken);
        (await cluster.OrchAsync("taskdef", "register", "--file", Programs.Example("httpd.json"))).EnsureSuccess();

        var run = (await cluster.OrchAsync("task", "run", "--cluster", cluster.ClusterName, "--task-definition", "httpd", "--wait")).EnsureSuccess();
        Assert.Contains("RUNNING", run.Stdout, StringComparison.Ordinal);

        var task = Assert.Single((await cluster.OrchJsonAsync<TasksResponse>("task", "list", "--cluster", cluster.ClusterName)).Tasks);
        Assert.Equal("RUNNING", task.LastStatus);
        var container = Assert.Single(task.Containers);
        var binding = container.NetworkBindings.First(b => b.BindIP == "0.0.0.0");
        Assert.Equal(80, binding.ContainerPort);
        Assert.InRange(binding.HostPort!.Value, 1024, 65535);

        using var http = new HttpClient();
        var page = await http.GetStringAsync(new Uri($"http://127.0.0.1:{binding.HostPort}/"), TestContext.Current.CancellationToken);
        Assert.Contains("Hello from an orchestrated task", page, StringComparison.Ordinal);

        var inspect = await cluster.Docker.Containers.InspectContainerAsync(container.RuntimeId!, TestContext.Current.CancellationToken);
        Assert.Equal(task.TaskArn, inspect.Config!.Labels["com.amazonaws.ecs.task-arn"]);
        Assert.Equal("web", inspect.Config!.Labels["com.amazonaws.ecs.container-name"]);
        Assert.Equal("httpd", inspect.Config!.Labels["com.amazonaws.ecs.task-definition-family"]);
        Assert.Equal("1", inspect.Config!.Labels["com.amazonaws.ecs.task-definition-version"]);

        (await cluster.OrchAsync("task", "stop", "--cluster", cluster.ClusterName, task.TaskArn, "--reason", "done")).EnsureSuccess();

        EcsTask stopped = task;
        await Eventually.Async(async () =>
        {
            stopped = Assert.Single((await cluster.OrchJsonAsync<TasksResponse>("task", "describe", "--cluster", cluster.ClusterName, task.TaskArn)).Tasks);
            Assert.Equal("STOPPED", stopped.LastStatus);
        }, TimeSpan.FromSeconds(30), cluster.Diagnostics);
        Assert.Equal("done", stopped.StoppedReason);
        Assert.Equal("UserInitiated", stopped.StopCode);
        Assert.NotNull(stopped.Containers[0].ExitCode);
        var after = await cluster.Docker.Containers.InspectContainerAsync(container.RuntimeId!, TestContext.Current.CancellationToken);
        Assert.False(after.State!.Running);
    }

    [Fact(Timeout = 180_000)]
    public async Task EssentialContainerExit_StopsTheTaskWithItsExitCode()
    {
        await using var cluster = await LocalCluster.StartAsync(TestContext.Current.CancellationToken);
        (await cluster.OrchAsync("taskdef", "register", "--file", Programs.Example("batch.json"))).EnsureSuccess();

        var taskArn = Assert.Single((await cluster.OrchJsonAsync<TasksResponse>("task", "run", "--cluster", cluster.ClusterName, "--task-definition", "batch")).Tasks).TaskArn;

        EcsTask stopped = null!;
        await Eventually.Async(async () =>
        {
            stopped = Assert.Single((await cluster.OrchJsonAsync<TasksResponse>("task", "describe", "--cluster", cluster.ClusterName, taskArn)).Tasks);
            Assert.Equal("STOPPED", stopped.LastStatus);
        }, TimeSpan.FromSeconds(30), cluster.Diagnostics);
        Assert.Equal("EssentialContainerExited", stopped.StopCode);
        Assert.Equal("Essential container in task exited", stopped.StoppedReason);
        Assert.Equal(3, stopped.Containers[0].ExitCode);
    }
}
