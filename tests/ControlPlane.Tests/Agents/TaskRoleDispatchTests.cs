using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.ControlPlane.Agents;
using Orchestrator.Contracts.Agent;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;
using TaskStatus = Orchestrator.Ecs.Model.TaskStatus;

namespace Orchestrator.ControlPlane.Tests.Agents;

/// <summary>
/// Tasks with a task role: RunTask refuses a role that does not exist; a task's RunTask message carries its role's
/// short-lived keys (and no API answer does); the rotation sends new keys before the old expire and drops those of
/// stopped tasks; a role deleted before dispatch stops the task with a reason naming it.
/// </summary>
public sealed class TaskRoleDispatchTests
{
    private const string Policy = """{"Statement":{"Effect":"Allow","Action":"ecs:ListTasks","Resource":"*"}}""";

    private static Task RegisterAsync(TestCluster cluster, string? role) =>
        cluster.Api.TaskDefinitions.RegisterTaskDefinitionAsync(new RegisterTaskDefinitionRequest
        {
            Family = "app",
            TaskRoleArn = role,
            ContainerDefinitions = [new ContainerDefinition { Name = "main", Image = "local/busybox:1", Memory = 32 }],
        }, TestCluster.Token);

    [Fact]
    public async Task RunTask_WithARole_SendsItsKeys_InTheRunMessageOnly()
    {
        using var cluster = new TestCluster();
        cluster.Roles.Create("reader", Policy, "", out var role);
        await RegisterAsync(cluster, "reader"); // a short name: stored as the role's ARN
        var (_, session) = await cluster.AddInstanceAsync();

        var response = await cluster.RunAsync("app");
        var task = Assert.Single(response.Tasks);
        var run = TestCluster.NextMessage(session)?.RunTask;

        Assert.NotNull(run);
        Assert.Contains($"\"taskRoleArn\":\"{role.Arn}\"", run.TaskDefinitionJson, StringComparison.Ordinal);
        var keys = run.Credentials;
        Assert.NotNull(keys);
        Assert.StartsWith("ASIA", keys.AccessKeyId, StringComparison.Ordinal);
        Assert.Equal((task.TaskArn, "arn:aws:iam::123456789012:role/reader"), (keys.TaskArn, keys.RoleArn));
        Assert.Equal(cluster.Clock.GetUtcNow() + TimeSpan.FromHours(1), keys.Expiration.ToDateTimeOffset());
        Assert.Equal(keys.AccessKeyId, cluster.Credentials.Latest(task.TaskArn)!.AccessKeyId);
        var answer = Ecs.Json.EcsJson.Serialize(response);
        Assert.DoesNotContain(keys.SecretAccessKey, answer, StringComparison.Ordinal);
        Assert.DoesNotContain(keys.SessionToken, answer, StringComparison.Ordinal);
        Assert.DoesNotContain(keys.AccessKeyId, answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunTask_WithoutARole_SendsNoKeys()
    {
        using var cluster = new TestCluster();
        await RegisterAsync(cluster, null);
        var (_, session) = await cluster.AddInstanceAsync();

        Assert.Single((await cluster.RunAsync("app")).Tasks);

        Assert.Null(TestCluster.NextMessage(session)?.RunTask.Credentials);
    }

    [Theory]
    [InlineData("arn:aws:iam::123456789012:role/nobody", "ECS was unable to assume the role 'arn:aws:iam::123456789012:role/nobody'")]
    [InlineData("arn:aws:iam::999999999999:role/reader", "unable to assume the role")] // another account's role of the same name
    [InlineData("not a role!", "Role is not valid")]
    public async Task RunTask_WithAnUnknownOrInvalidRoleOverride_IsRefused(string role, string message)
    {
        using var cluster = new TestCluster();
        cluster.Roles.Create("reader", Policy, "", out _);
        await RegisterAsync(cluster, null);
        await cluster.AddInstanceAsync();

        var error = await Assert.ThrowsAsync<EcsException>(() => cluster.Api.Tasks.RunTaskAsync(
            new RunTaskRequest { TaskDefinition = "app", Overrides = new TaskOverride { TaskRoleArn = role } }, TestCluster.Token));

        Assert.Equal(EcsErrors.Client, error.ErrorType);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Empty(cluster.Store.Current.Tasks);
    }

    [Fact]
    public async Task RunTask_RoleOverride_Wins_AndIsKeptOnTheTask()
    {
        using var cluster = new TestCluster();
        cluster.Roles.Create("reader", Policy, "", out _);
        cluster.Roles.Create("writer", Policy, "", out var writer);
        await RegisterAsync(cluster, "reader");
        var (_, session) = await cluster.AddInstanceAsync();

        var task = Assert.Single((await cluster.Api.Tasks.RunTaskAsync(
            new RunTaskRequest { TaskDefinition = "app", Overrides = new TaskOverride { TaskRoleArn = writer.Arn } }, TestCluster.Token)).Tasks);

        Assert.Equal(writer.Arn, task.Overrides?.TaskRoleArn);
        Assert.Equal(writer.Arn, TestCluster.NextMessage(session)!.RunTask.Credentials.RoleArn);
    }

    [Fact]
    public async Task RoleDeletedBeforeDispatch_StopsTheTask_NamingTheRole()
    {
        using var cluster = new TestCluster();
        cluster.Roles.Create("reader", Policy, "", out _);
        await RegisterAsync(cluster, "reader");
        var (arn, _) = await cluster.AddInstanceAsync();
        var task = Assert.Single((await cluster.RunAsync("app")).Tasks);
        cluster.Roles.Delete("reader");

        // The agent comes back without the task: resent, the role resolved again, and it is gone.
        var messages = await cluster.Reports.OpenSessionAsync(new SessionHello { ContainerInstanceArn = arn }, TestCluster.Token);

        Assert.DoesNotContain(messages, m => m.RunTask?.TaskArn == task.TaskArn);
        var stopped = cluster.Store.Current.Task(task.TaskArn)!.Task;
        Assert.Equal(TaskStatus.Stopped, stopped.LastStatus);
        Assert.Equal("ResourceInitializationError: unable to get task role credentials: role arn:aws:iam::123456789012:role/reader not found", stopped.StoppedReason);
    }

    [Fact]
    public async Task Rotation_SendsNewKeysAtHalfLife_AndDropsTheKeysOfStoppedTasks()
    {
        using var cluster = new TestCluster();
        cluster.Roles.Create("reader", Policy, "", out _);
        await RegisterAsync(cluster, "reader");
        var (_, session) = await cluster.AddInstanceAsync();
        var task = Assert.Single((await cluster.RunAsync("app")).Tasks);
        var first = TestCluster.NextMessage(session)!.RunTask.Credentials;
        var rotation = new TaskCredentialRotation(cluster.Store, cluster.Sessions, cluster.RoleCredentials, cluster.Credentials, cluster.Clock,
            NullLogger<TaskCredentialRotation>.Instance);

        Assert.Equal(0, rotation.Rotate()); // fresh keys: nothing to do
        cluster.Clock.Advance(TimeSpan.FromMinutes(31));
        Assert.Equal(1, rotation.Rotate());
        var rotated = TestCluster.NextMessage(session)!.TaskCredentials;
        Assert.Equal(task.TaskArn, rotated.TaskArn);
        Assert.NotEqual(first.AccessKeyId, rotated.AccessKeyId);
        Assert.NotNull(cluster.Credentials.Check(first.AccessKeyId, first.SessionToken, out _)); // the old stay valid until they expire
        Assert.Equal(0, rotation.Rotate());

        await cluster.Api.Tasks.StopTaskAsync(new StopTaskRequest { Task = task.TaskArn }, TestCluster.Token);
        rotation.Rotate();
        Assert.Null(cluster.Credentials.Latest(task.TaskArn));
        Assert.Null(cluster.Credentials.Check(rotated.AccessKeyId, rotated.SessionToken, out _));
    }

    [Fact]
    public async Task Rotation_AfterTheAgentReconnects_SendsKeysAgain()
    {
        using var cluster = new TestCluster();
        cluster.Roles.Create("reader", Policy, "", out _);
        await RegisterAsync(cluster, "reader");
        var (arn, session) = await cluster.AddInstanceAsync();
        Assert.Single((await cluster.RunAsync("app")).Tasks);
        TestCluster.NextMessage(session);
        var rotation = new TaskCredentialRotation(cluster.Store, cluster.Sessions, cluster.RoleCredentials, cluster.Credentials, cluster.Clock,
            NullLogger<TaskCredentialRotation>.Instance);

        rotation.OnConnectivity(arn); // a restarted agent holds no keys

        Assert.Equal(1, rotation.Rotate());
        Assert.NotNull(TestCluster.NextMessage(session)?.TaskCredentials);
    }
}
