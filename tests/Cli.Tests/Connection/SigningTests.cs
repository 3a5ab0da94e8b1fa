using Microsoft.Extensions.Time.Testing;
using Orchestrator.Cli.Tests.Fakes;
using Orchestrator.Contracts;
using Orchestrator.Ecs.Model;
using TaskStatus = Orchestrator.Ecs.Model.TaskStatus;

namespace Orchestrator.Cli.Tests.Connection;

/// <summary>Every call is signed with the access key; a server that refuses it is reported in one line, without the secret.</summary>
public sealed class SigningTests
{
    private const string KeyId = "AKTEST0123456789";
    private const string Secret = "wJalrXUtnFEMI-the-real-secret";
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 11, 30, 15, TimeSpan.Zero);

    [Fact]
    public async Task UnaryCalls_SignedWithTheKeyAndTheClock_AreAccepted()
    {
        await using var server = await StartAsync();
        server.Api.On("ListClusters", new ListClustersResponse([Canned.Cluster("a").ClusterArn], null));
        server.Api.On("DescribeClusters", new DescribeClustersResponse([Canned.Cluster("a")], []));

        var result = await RunAsync(server, Secret, "cluster", "list");

        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"(?m)^a\s+ACTIVE", result.Stdout);
        Assert.Equal(2, server.Options.SeenCalls.Count);
        foreach (var (method, date, authorization) in server.Options.SeenCalls)
        {
            Assert.Equal("/orchestrator.cluster.v1.ClusterApi/Call", method);
            Assert.Equal("20261206T113015Z", date);
            Assert.Equal($"ORCH1-HMAC-SHA256 Credential={KeyId}, Signature={CallSignature.Compute(Secret, "20261206T113015Z", method)}", authorization);
        }
    }

    [Fact]
    public async Task ServerStreamingWatch_IsSignedToo()
    {
        await using var server = await StartAsync();
        server.Api.On("RunTask", new TasksResponse([Canned.Task(Canned.TaskId1, TaskStatus.Pending)], []));
        server.Api.OnWatch([new TasksResponse([Canned.Task(Canned.TaskId1, TaskStatus.Running)], [])]);

        var result = await RunAsync(server, Secret, "task", "run", "--task-definition", "web:1", "--wait");

        Assert.Equal(0, result.ExitCode);
        var watch = Assert.Single(server.Options.SeenCalls, c => c.Method == "/orchestrator.cluster.v1.ClusterApi/WatchTasks");
        Assert.Equal(CallSignature.Compute(Secret, watch.Date!, watch.Method), Signature(watch.Authorization));
    }

    [Fact]
    public async Task AdminCalls_AreSigned()
    {
        await using var server = await StartAsync();

        var result = await RunAsync(server, Secret, "access-key", "list");

        Assert.Equal(0, result.ExitCode);
        var call = Assert.Single(server.Options.SeenCalls);
        Assert.Equal("/orchestrator.admin.v1.Admin/ListAccessKeys", call.Method);
        Assert.Equal(CallSignature.Compute(Secret, call.Date!, call.Method), Signature(call.Authorization));
    }

    [Fact]
    public async Task WrongSecret_UnauthenticatedInOneLineWithAHint_Exits254AndNeverPrintsTheSecret()
    {
        await using var server = await StartAsync();
        const string wrongSecret = "not-the-secret-at-all";

        var result = await RunAsync(server, wrongSecret, "cluster", "create", "prod");

        Assert.Equal(254, result.ExitCode);
        Assert.Equal(
            $"The control plane did not accept access key {KeyId} for CreateCluster: The signature of access key {KeyId} does not match. " +
            $"(check the key, or {ConnectionSettings.CredentialsHint}).",
            result.Stderr.Trim());
        Assert.Contains("ORCH_ACCESS_KEY_ID", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(server.Api.Calls);
        Assert.DoesNotContain(wrongSecret, result.Stdout + result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, result.Stdout + result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoKeyConfigured_SendsUnsignedAndExplainsHowToSetOne()
    {
        await using var server = await StartAsync();

        var result = await CliHarness.RunAsync(["cluster", "create", "prod", "--endpoint", server.Url]);

        Assert.Equal(254, result.ExitCode);
        var call = Assert.Single(server.Options.SeenCalls);
        Assert.Null(call.Authorization);
        Assert.Equal(
            $"The control plane needs an access key for CreateCluster: The call is not signed with an access key. ({ConnectionSettings.CredentialsHint}).",
            result.Stderr.Trim());
    }

    [Fact]
    public async Task ReadOnlyKey_MutatingAction_PermissionDeniedMessageAndExits254()
    {
        await using var server = await FakeClusterApiServer.StartAsync(
            TestContext.Current.CancellationToken, new FakeServerOptions { Keys = new Dictionary<string, FakeKey> { [KeyId] = new(Secret, ReadOnly: true) } });

        var result = await RunAsync(server, Secret, "cluster", "create", "prod");

        Assert.Equal(254, result.ExitCode);
        Assert.StartsWith($"Access key {KeyId} may not call CreateCluster: Access key {KeyId} is read-only. (a read-only key", result.Stderr, StringComparison.Ordinal);
        Assert.Single(result.Stderr.Trim().Split('\n'));
        Assert.DoesNotContain(Secret, result.Stdout + result.Stderr, StringComparison.Ordinal);
    }

    private static string? Signature(string? authorization) =>
        CallSignature.TryParse(authorization, out _, out var signature) ? signature : null;

    private static Task<FakeClusterApiServer> StartAsync() => FakeClusterApiServer.StartAsync(
        TestContext.Current.CancellationToken, new FakeServerOptions { Keys = new Dictionary<string, FakeKey> { [KeyId] = new(Secret) } });

    private static Task<CliResult> RunAsync(FakeClusterApiServer server, string secret, params string[] args) => CliHarness.RunAsync(
        [.. args, "--endpoint", server.Url],
        new FakeTimeProvider(Now),
        CliHarness.Environment(("ORCH_ACCESS_KEY_ID", KeyId), ("ORCH_SECRET_ACCESS_KEY", secret)));
}
