using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Tests.Application;

/// <summary>RunTask's clientToken: a retried call gets the tasks of the first one back, never a second set.</summary>
public sealed class RunTaskClientTokenTests
{
    private static CancellationToken Token => TestCluster.Token;

    private static Task<TasksResponse> RunAsync(TestCluster cluster, string? clientToken, int count = 3) =>
        cluster.Api.Tasks.RunTaskAsync(new RunTaskRequest { TaskDefinition = "web", Count = count, ClientToken = clientToken }, Token);

    [Fact]
    public async Task SameToken_ReturnsTheFirstCallsTasks_CreatesNothingAndSendsNothingNew()
    {
        using var cluster = new TestCluster();
        var (_, session) = await cluster.AddInstanceAsync();
        await cluster.RegisterAsync(memory: 16, cpu: 10);

        var first = await RunAsync(cluster, "retry-me-0001");
        while (TestCluster.NextMessage(session) is not null)
        {
        }

        var again = await RunAsync(cluster, "retry-me-0001");

        Assert.Equal(3, first.Tasks.Count);
        Assert.Equal(first.Tasks.Select(t => t.TaskArn).Order(), again.Tasks.Select(t => t.TaskArn).Order());
        Assert.Empty(again.Failures);
        Assert.Equal(3, cluster.Store.Current.Tasks.Count);
        Assert.Null(TestCluster.NextMessage(session));
    }

    [Fact]
    public async Task DifferentTokensOrNone_EachCallRunsItsOwnTasks()
    {
        using var cluster = new TestCluster();
        await cluster.AddInstanceAsync();
        await cluster.RegisterAsync(memory: 16, cpu: 10);

        await RunAsync(cluster, "token-a", count: 1);
        await RunAsync(cluster, "token-b", count: 1);
        await RunAsync(cluster, null, count: 1);
        await RunAsync(cluster, null, count: 1);

        Assert.Equal(4, cluster.Store.Current.Tasks.Count);
    }

    [Fact]
    public async Task TheTokenSurvivesARestartOfTheControlPlane()
    {
        using var cluster = new TestCluster();
        await cluster.AddInstanceAsync();
        await cluster.RegisterAsync(memory: 16, cpu: 10);
        string[] arns = [.. (await RunAsync(cluster, "before-restart")).Tasks.Select(t => t.TaskArn).Order()];

        using var reopened = cluster.Restart();
        var again = await RunAsync(reopened, "before-restart");

        Assert.Equal(arns, again.Tasks.Select(t => t.TaskArn).Order());
        Assert.Equal(3, reopened.Store.Current.Tasks.Count);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("é")]
    public async Task MalformedToken_IsAnInvalidParameter(string token)
    {
        using var cluster = new TestCluster();
        await cluster.AddInstanceAsync();
        await cluster.RegisterAsync();

        var error = await Assert.ThrowsAsync<EcsException>(() => RunAsync(cluster, token));

        Assert.Equal("InvalidParameterException", error.ErrorType);
        Assert.Contains("clientToken", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenOf65Characters_IsAnInvalidParameter()
    {
        using var cluster = new TestCluster();
        await cluster.AddInstanceAsync();
        await cluster.RegisterAsync();

        await Assert.ThrowsAsync<EcsException>(() => RunAsync(cluster, new string('x', 65)));
        Assert.Single((await RunAsync(cluster, new string('x', 64), count: 1)).Tasks);
    }
}
