using Orchestrator.Ecs.Model;
using TaskStatus = Orchestrator.Ecs.Model.TaskStatus;

namespace Orchestrator.ControlPlane.Tests.Agents;

/// <summary>
/// <c>logConfiguration.secretOptions</c> at dispatch: each value travels in the task's RunTask only (field
/// log_secret_options), the definition sent and stored holds the valueFrom reference, and a missing secret stops the
/// task with ResourceInitializationError naming it before any agent is told.
/// </summary>
public sealed class LogSecretOptionsDispatchTests
{
    private static Task RegisterAsync(TestCluster cluster, string valueFrom) =>
        cluster.Api.TaskDefinitions.RegisterTaskDefinitionAsync(new RegisterTaskDefinitionRequest
        {
            Family = "logged",
            ContainerDefinitions =
            [
                new ContainerDefinition
                {
                    Name = "main",
                    Image = "local/busybox:1",
                    Memory = 32,
                    LogConfiguration = new LogConfiguration
                    {
                        LogDriver = "json-file",
                        Options = new Dictionary<string, string> { ["max-size"] = "1m" },
                        SecretOptions = [new Secret("tag", valueFrom)],
                    },
                },
            ],
        }, TestCluster.Token);

    [Fact]
    public async Task RunTask_CarriesTheOptionValue_InTheMessageOnly()
    {
        using var cluster = new TestCluster();
        cluster.Secrets.Create("log-tag", "tag-s3cret", "", out _);
        await RegisterAsync(cluster, "arn:aws:ssm:us-east-1:123456789012:parameter/log-tag");
        var (_, session) = await cluster.AddInstanceAsync();

        var task = Assert.Single((await cluster.RunAsync("logged")).Tasks);
        var run = TestCluster.NextMessage(session)?.RunTask;

        Assert.NotNull(run);
        var option = Assert.Single(run.LogSecretOptions);
        Assert.Equal(("main", "tag", "tag-s3cret"), (option.ContainerName, option.Name, option.Value));
        Assert.Empty(run.Secrets);
        Assert.DoesNotContain("tag-s3cret", run.TaskDefinitionJson, StringComparison.Ordinal);
        Assert.Contains("\"secretOptions\":[{\"name\":\"tag\",\"valueFrom\":\"arn:aws:ssm:us-east-1:123456789012:parameter/log-tag\"}]", run.TaskDefinitionJson, StringComparison.Ordinal);
        var stored = cluster.Store.Current.Task(task.TaskArn)!.Task;
        Assert.NotEqual(TaskStatus.Stopped, stored.LastStatus);
    }

    [Fact]
    public async Task MissingSecret_StopsTheTask_NamingIt_AndSendsNothing()
    {
        using var cluster = new TestCluster();
        await RegisterAsync(cluster, "arn:aws:secretsmanager:us-east-1:123456789012:secret:splunk-token"); // allowed, as in ECS
        var (_, session) = await cluster.AddInstanceAsync();

        var task = Assert.Single((await cluster.RunAsync("logged")).Tasks);

        Assert.Null(TestCluster.NextMessage(session));
        EcsTask? stopped = null;
        for (var i = 0; i < 100 && stopped?.LastStatus != TaskStatus.Stopped; i++)
        {
            await Task.Delay(20, TestCluster.Token);
            stopped = cluster.Store.Current.Task(task.TaskArn)!.Task;
        }

        Assert.Equal(TaskStatus.Stopped, stopped!.LastStatus);
        Assert.Equal(TaskStopCode.TaskFailedToStart, stopped.StopCode);
        Assert.Equal(
            "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: " +
            "secret arn:aws:secretsmanager:us-east-1:123456789012:secret:splunk-token not found",
            stopped.StoppedReason);
    }
}
