using Grpc.Core;
using Orchestrator.Contracts.Admin;
using Orchestrator.Contracts.Agent;
using Orchestrator.Contracts.Cluster;

namespace Orchestrator.ControlPlane.Tests.Security;

/// <summary>
/// A task's logs and commands in it are reached only with a full access key, and an agent's Attach call only carries
/// a stream the control plane asked that very instance for.
/// </summary>
public sealed class TaskStreamAuthenticationTests
{
    private const string LogsMethod = "/orchestrator.cluster.v1.ClusterApi/TaskLogs";
    private const string ExecMethod = "/orchestrator.cluster.v1.ClusterApi/ExecuteCommand";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task LogsAndExec_Unsigned_AreUnauthenticated_AndReadOnlyKeys_AreDenied()
    {
        await using var controlPlane = await SecureControlPlane.StartAsync();
        var api = controlPlane.Api();
        var readOnly = await controlPlane.Admin().CreateAccessKeyAsync(new CreateAccessKeyRequest { ReadOnly = true, Description = "dashboards" },
            controlPlane.Signed(SecureControlPlane.AdminMethod("CreateAccessKey")));

        var unsignedLogs = await Assert.ThrowsAsync<RpcException>(() => ReadLogsAsync(api, new CallOptions(cancellationToken: Token)));
        var unsignedExec = await Assert.ThrowsAsync<RpcException>(() => ExecAsync(api, new CallOptions(cancellationToken: Token)));
        var readOnlyLogs = await Assert.ThrowsAsync<RpcException>(() => ReadLogsAsync(api, controlPlane.Signed(LogsMethod, readOnly.AccessKeyId, readOnly.SecretAccessKey)));
        var readOnlyExec = await Assert.ThrowsAsync<RpcException>(() => ExecAsync(api, controlPlane.Signed(ExecMethod, readOnly.AccessKeyId, readOnly.SecretAccessKey)));
        // With the admin key the call gets as far as looking for the task.
        var admin = await Assert.ThrowsAsync<RpcException>(() => ReadLogsAsync(api, controlPlane.Signed(LogsMethod)));

        Assert.Equal(StatusCode.Unauthenticated, unsignedLogs.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, unsignedExec.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, readOnlyLogs.StatusCode);
        Assert.Contains("may not call TaskLogs", readOnlyLogs.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.PermissionDenied, readOnlyExec.StatusCode);
        Assert.NotEqual(StatusCode.Unauthenticated, admin.StatusCode);
        Assert.NotEqual(StatusCode.PermissionDenied, admin.StatusCode);
        Assert.Contains("not found", admin.Status.Detail, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Attach_WithoutACertificate_OrNamingNoWaitingStream_IsRefused()
    {
        await using var controlPlane = await SecureControlPlane.StartAsync();
        var (_, certificate) = await controlPlane.JoinAsync(await controlPlane.CreateActivationAsync());

        var anonymous = await Assert.ThrowsAsync<RpcException>(() => AttachAsync(controlPlane.Agents(), "0123456789abcdef0123456789abcdef"));
        var guessed = await Assert.ThrowsAsync<RpcException>(() => AttachAsync(controlPlane.Agents(certificate), "0123456789abcdef0123456789abcdef"));

        Assert.Equal(StatusCode.Unauthenticated, anonymous.StatusCode);
        Assert.Equal(StatusCode.NotFound, guessed.StatusCode);
    }

    private static async Task ReadLogsAsync(ClusterApi.ClusterApiClient api, CallOptions options)
    {
        using var call = api.TaskLogs(new TaskLogsRequest { Cluster = "default", Task = "0123456789abcdef0123456789abcdef" }, options);
        await call.ResponseStream.MoveNext(Token);
    }

    private static async Task ExecAsync(ClusterApi.ClusterApiClient api, CallOptions options)
    {
        using var call = api.ExecuteCommand(options);
        await call.RequestStream.WriteAsync(new ExecInput { Start = new ExecStart { Cluster = "default", Task = "t", Command = { "sh" } } }, Token);
        await call.ResponseStream.MoveNext(Token);
    }

    private static async Task AttachAsync(AgentService.AgentServiceClient agents, string streamId)
    {
        using var call = agents.Attach(cancellationToken: Token);
        await call.RequestStream.WriteAsync(new AttachUp { StreamId = streamId }, Token);
        await call.ResponseStream.MoveNext(Token);
    }
}
