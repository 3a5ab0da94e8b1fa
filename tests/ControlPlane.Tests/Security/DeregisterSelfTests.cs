using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Orchestrator.Contracts.Agent;
using Orchestrator.Ecs.Json;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Tests.Security;

/// <summary>
/// DeregisterSelf, the uninstall's way out of the cluster: the instance its client certificate names, and no other;
/// no certificate, no deregistration; afterwards that certificate is revoked.
/// </summary>
public sealed class DeregisterSelfTests
{
    private static CancellationToken Token => SecureControlPlane.Token;

    [Fact]
    public async Task DeregisterSelf_DeregistersTheCallersOwnInstanceOnly_AndRevokesItsCertificate()
    {
        await using var controlPlane = await SecureControlPlane.StartAsync();
        var activation = await controlPlane.CreateActivationAsync(maxRegistrations: 2);
        var (leaving, leavingCertificate) = await controlPlane.JoinAsync(activation, "leaving");
        var (staying, _) = await controlPlane.JoinAsync(activation, "staying");

        var response = await controlPlane.Agents(leavingCertificate).DeregisterSelfAsync(new DeregisterSelfRequest(), cancellationToken: Token);
        var again = await Assert.ThrowsAsync<RpcException>(async () =>
            await controlPlane.Agents(leavingCertificate).DeregisterSelfAsync(new DeregisterSelfRequest(), cancellationToken: Token));

        Assert.Equal(leaving, response.ContainerInstanceArn);
        Assert.Equal(ContainerInstanceStatus.Inactive, await StatusAsync(controlPlane, leaving));
        Assert.Equal(ContainerInstanceStatus.Active, await StatusAsync(controlPlane, staying));
        Assert.Equal(StatusCode.PermissionDenied, again.StatusCode);
        Assert.Contains("revoked", again.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeregisterSelf_WithoutACertificate_IsRefused_AndNoInstanceChanges()
    {
        await using var controlPlane = await SecureControlPlane.StartAsync();
        var (arn, _) = await controlPlane.JoinAsync(await controlPlane.CreateActivationAsync());

        var refused = await Assert.ThrowsAsync<RpcException>(async () =>
            await controlPlane.Agents().DeregisterSelfAsync(new DeregisterSelfRequest(), cancellationToken: Token));

        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        Assert.Equal(ContainerInstanceStatus.Active, await StatusAsync(controlPlane, arn));
    }

    [Fact]
    public async Task DeregisterSelf_InTheInsecureMode_IsRefusedAsAFailedPrecondition()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "orch-cp-deregister-" + Guid.NewGuid().ToString("N"));
        await using var app = ControlPlaneApp.Build([$"--data-dir={dataDir}", "--insecure"], b => b.WebHost.UseTestServer());
        await app.StartAsync(Token);
        try
        {
            using var channel = GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions { HttpHandler = app.GetTestServer().CreateHandler() });

            var refused = await Assert.ThrowsAsync<RpcException>(async () =>
                await new AgentService.AgentServiceClient(channel).DeregisterSelfAsync(new DeregisterSelfRequest(), cancellationToken: Token));

            Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
            Assert.Contains("insecure", refused.Status.Detail, StringComparison.Ordinal);
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
            Directory.Delete(dataDir, recursive: true);
        }
    }

    private static async Task<string> StatusAsync(SecureControlPlane controlPlane, string arn)
    {
        var described = EcsJson.Deserialize<DescribeContainerInstancesResponse>(
            await controlPlane.CallAsync("DescribeContainerInstances", $$"""{"containerInstances":["{{arn}}"]}"""));
        return Assert.Single(described.ContainerInstances).Status;
    }
}
