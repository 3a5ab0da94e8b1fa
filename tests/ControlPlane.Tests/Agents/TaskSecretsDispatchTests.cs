using Orchestrator.Contracts.Agent;
using Orchestrator.Ecs.Model;
using TaskStatus = Orchestrator.Ecs.Model.TaskStatus;

namespace Orchestrator.ControlPlane.Tests.Agents;

/// <summary>
/// Dispatch of a task with secrets: the values travel in its RunTask message (resolved at each send, so a resend after
/// a put carries the new value), and a task naming a missing secret stops with ResourceInitializationError, never
/// reaching its agent. The stored task and definition hold no value.
/// </summary>
public sealed class TaskSecretsDispatchTests
{
    private static Task RegisterAsync(TestCluster cluster, string valueFrom) =>
        cluster.Api.TaskDefinitions.RegisterTaskDefinitionAsync(new RegisterTaskDefinitionRequest
        {
            Family = "app",
            ContainerDefinitions =
            [
                new ContainerDefinition
                {
                    Name = "main",
                    Image = "local/busybox:1",
                    Memory = 32,
                    Environment = [new NameValuePair("PLAIN", "x")],
                    Secrets = [new Secret("DB_PASSWORD", valueFrom)],
                },
            ],
        }, TestCluster.Token);

    [Fact]
    public async Task RunTask_CarriesTheValues_InTheMessageOnly()
    {
        using var cluster = new TestCluster();
        cluster.Secrets.Create("db-pass", "s3cret-value", "", out _);
        await RegisterAsync(cluster, "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-pass-AbCdEf");
        var (_, session) = await cluster.AddInstanceAsync();

        var task = Assert.Single((await cluster.RunAsync("app")).Tasks);
        var run = TestCluster.NextMessage(session)?.RunTask;

        Assert.NotNull(run);
        var secret = Assert.Single(run.Secrets);
        Assert.Equal(("main", "DB_PASSWORD", "s3cret-value"), (secret.ContainerName, secret.Name, secret.Value));
        Assert.DoesNotContain("s3cret-value", run.TaskDefinitionJson, StringComparison.Ordinal);
        Assert.Contains("arn:aws:secretsmanager:us-east-1:123456789012:secret:db-pass-AbCdEf", run.TaskDefinitionJson, StringComparison.Ordinal);
        Assert.NotEqual(TaskStatus.Stopped, cluster.Store.Current.Task(task.TaskArn)!.Task.LastStatus);
    }

    [Fact]
    public async Task Resend_AfterAPut_CarriesTheNewValue()
    {
        using var cluster = new TestCluster();
        cluster.Secrets.Create("db-pass", "old", "", out _);
        await RegisterAsync(cluster, "db-pass");
        var (arn, _) = await cluster.AddInstanceAsync();
        var task = Assert.Single((await cluster.RunAsync("app")).Tasks);
        cluster.Secrets.Put("db-pass", "new", null);

        // The agent comes back without the task: it is sent again, resolved again.
        var messages = await cluster.Reports.OpenSessionAsync(new SessionHello { ContainerInstanceArn = arn }, TestCluster.Token);

        var run = Assert.Single(messages, m => m.RunTask?.TaskArn == task.TaskArn).RunTask;
        Assert.Equal("new", Assert.Single(run.Secrets).Value);
    }

    [Fact]
    public async Task MissingSecret_StopsTheTask_WithResourceInitializationError_AndSendsNothing()
    {
        using var cluster = new TestCluster();
        await RegisterAsync(cluster, "arn:aws:ssm:us-east-1:123456789012:parameter/missing"); // registering is allowed, as in ECS
        var (_, session) = await cluster.AddInstanceAsync();

        var task = Assert.Single((await cluster.RunAsync("app")).Tasks);

        Assert.Null(TestCluster.NextMessage(session));
        EcsTask? stopped = null;
        for (var i = 0; i < 100 && stopped?.LastStatus != TaskStatus.Stopped; i++)
        {
            await Task.Delay(20, TestCluster.Token);
            stopped = cluster.Store.Current.Task(task.TaskArn)!.Task;
        }

        Assert.Equal(TaskStatus.Stopped, stopped!.LastStatus);
        Assert.Equal(TaskStatus.Stopped, stopped.DesiredStatus);
        Assert.Equal(TaskStopCode.TaskFailedToStart, stopped.StopCode);
        Assert.Equal(
            "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: " +
            "secret arn:aws:ssm:us-east-1:123456789012:parameter/missing not found",
            stopped.StoppedReason);
        Assert.All(stopped.Containers, c => Assert.Equal(TaskStatus.Stopped, c.LastStatus));
    }

    [Fact]
    public async Task SecretDeletedBeforeAResend_StopsTheTaskInsteadOfSendingIt()
    {
        using var cluster = new TestCluster();
        cluster.Secrets.Create("db-pass", "v", "", out _);
        await RegisterAsync(cluster, "db-pass");
        var (arn, _) = await cluster.AddInstanceAsync();
        var task = Assert.Single((await cluster.RunAsync("app")).Tasks);
        cluster.Secrets.Delete("db-pass");

        var messages = await cluster.Reports.OpenSessionAsync(new SessionHello { ContainerInstanceArn = arn }, TestCluster.Token);

        Assert.DoesNotContain(messages, m => m.RunTask is not null);
        var stopped = cluster.Store.Current.Task(task.TaskArn)!.Task;
        Assert.Equal(TaskStatus.Stopped, stopped.LastStatus);
        Assert.Contains("secret db-pass not found", stopped.StoppedReason, StringComparison.Ordinal);
    }
}
