using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;
using Orchestrator.Contracts.Admin;
using Orchestrator.Contracts.Agent;
using Orchestrator.ControlPlane.Tests.Grpc;
using Orchestrator.Ecs.Json;
using Orchestrator.Ecs.Model;
using Status = Orchestrator.Contracts.Agent.Status;

namespace Orchestrator.ControlPlane.Tests.Security;

/// <summary>
/// Hosts joining a secure control plane over its real TLS port: activations, client certificates bound to their
/// container instance, renewal and revocation — and the attacks of a caller without them, refused with the reason
/// while the real agent's session and reports go on.
/// </summary>
public sealed class AgentJoinTests
{
    private const string EnvironmentSecret = "pw-3b9d1e77-never-leaves-the-task";

    private static CancellationToken Token => SecureControlPlane.Token;

    [Fact]
    public async Task Activation_JoinsAHost_ItsCertificateNamesTheInstance_AndItsSessionRunsATask()
    {
        await using var controlPlane = await SecureControlPlane.StartAsync();
        var activation = await controlPlane.CreateActivationAsync();

        var (arn, certificate) = await controlPlane.JoinAsync(activation);
        await using var agent = await TestAgent.ConnectAsync(controlPlane.Agents(certificate), arn);
        var task = await RunTaskAsync(controlPlane);
        var run = await agent.NextAsync(m => m.RunTask?.TaskArn == task);
        await agent.ReportAsync(task, Status.Running);

        Assert.Contains($"URL={arn}", certificate.GetNameInfo(X509NameType.UrlName, false) is { Length: > 0 } url ? $"URL={url}" : certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().Format(false), StringComparison.Ordinal);
        Assert.True(certificate.NotAfter.ToUniversalTime() <= DateTime.UtcNow.AddHours(24).AddMinutes(1));
        Assert.Contains(EnvironmentSecret, run.RunTask.TaskDefinitionJson, StringComparison.Ordinal);
        Assert.Equal("RUNNING", await LastStatusAsync(controlPlane, task));
        var listed = await controlPlane.Admin().ListActivationsAsync(new ListActivationsRequest(), controlPlane.Signed(SecureControlPlane.AdminMethod("ListActivations")));
        var used = Assert.Single(listed.Activations);
        Assert.Equal("EXHAUSTED", used.Status);
        Assert.Empty(used.ActivationCode);
        Assert.DoesNotContain(activation.ActivationCode, await File.ReadAllTextAsync(Path.Combine(controlPlane.DataDir, "activations.json"), Token), StringComparison.Ordinal);
        Assert.DoesNotContain(controlPlane.Logs.Lines, l => l.Contains(activation.ActivationCode, StringComparison.Ordinal) || l.Contains(EnvironmentSecret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Register_WithoutActivationOrCertificate_IsRefused_AndNothingIsStored_NoTaskReachesTheCaller()
    {
        await using var controlPlane = await SecureControlPlane.StartAsync();
        await controlPlane.CallAsync("CreateCluster", """{"clusterName":"default"}""");
        var agents = controlPlane.Agents();
        var huge = TestAgent.Registration("attacker");
        huge.Resources.Cpu = int.MaxValue;

        var refused = await Assert.ThrowsAsync<RpcException>(async () => await agents.RegisterAsync(huge, cancellationToken: Token));
        var hello = await TestAgent.RefusedHelloAsync(agents, TestAgent.Hello("arn:aws:ecs:us-east-1:000000000000:container-instance/default/0123456789abcdef0123456789abcdef"));

        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        Assert.Contains("needs an activation", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.Unauthenticated, hello.StatusCode);
        Assert.Contains("no client certificate", hello.Status.Detail, StringComparison.Ordinal);
        Assert.Empty(EcsJson.Deserialize<ListContainerInstancesResponse>(await controlPlane.CallAsync("ListContainerInstances", "{}")).ContainerInstanceArns);
    }

    [Fact]
    public async Task Activation_Expired_UsedUp_Revoked_WrongCode_OtherCluster_BadRequest_AreEachRefusedWithTheReason()
    {
        await using var controlPlane = await SecureControlPlane.StartAsync();
        var used = await controlPlane.CreateActivationAsync();
        await controlPlane.JoinAsync(used, "first");
        var expiring = await controlPlane.CreateActivationAsync(expiresInSeconds: 60);
        var revoked = await controlPlane.CreateActivationAsync();
        await controlPlane.Admin().RevokeActivationAsync(new RevokeActivationRequest { ActivationId = revoked.ActivationId },
            controlPlane.Signed(SecureControlPlane.AdminMethod("RevokeActivation")));
        var valid = await controlPlane.CreateActivationAsync();

        var exhausted = await RefusedJoinAsync(controlPlane, used);
        var wrongCode = await RefusedJoinAsync(controlPlane, new ActivationInfo(valid) { ActivationCode = "guessed" });
        var revokedJoin = await RefusedJoinAsync(controlPlane, revoked);
        var otherCluster = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new RegisterRequest(TestAgent.Registration("h")) { Cluster = "prod", ActivationId = valid.ActivationId, ActivationCode = valid.ActivationCode, CertificateRequest = SecureControlPlane.CertificateRequestPem(key) };
            await controlPlane.Agents().RegisterAsync(request, cancellationToken: Token);
        });
        var badRequest = await Assert.ThrowsAsync<RpcException>(async () => await controlPlane.Agents().RegisterAsync(
            new RegisterRequest(TestAgent.Registration("h")) { ActivationId = valid.ActivationId, ActivationCode = valid.ActivationCode, CertificateRequest = "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----" },
            cancellationToken: Token));
        controlPlane.Clock.Offset = TimeSpan.FromMinutes(2);
        var expired = await RefusedJoinAsync(controlPlane, expiring);

        Assert.Equal(StatusCode.PermissionDenied, exhausted.StatusCode);
        Assert.Contains("used for all of its 1 registrations", exhausted.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("not valid", wrongCode.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("revoked", revokedJoin.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("is for cluster default, not prod", otherCluster.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.InvalidArgument, badRequest.StatusCode);
        Assert.Contains("expired", expired.Status.Detail, StringComparison.Ordinal);
        // The refusals took nothing: the valid activation still has its one registration.
        controlPlane.Clock.Offset = TimeSpan.Zero;
        await controlPlane.JoinAsync(valid, "second");
        Assert.Equal(2, EcsJson.Deserialize<ListContainerInstancesResponse>(await controlPlane.CallAsync("ListContainerInstances", "{}")).ContainerInstanceArns.Count);
        Assert.DoesNotContain(controlPlane.Logs.Lines, l => l.Contains(valid.ActivationCode, StringComparison.Ordinal) || l.Contains(used.ActivationCode, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Hello_NamingAnotherInstance_IsRefused_TheRealAgentKeepsItsSessionAndTasks()
    {
        await using var controlPlane = await SecureControlPlane.StartAsync();
        var activation = await controlPlane.CreateActivationAsync(maxRegistrations: 2);
        var (victim, victimCertificate) = await controlPlane.JoinAsync(activation, "victim");
        var (_, attackerCertificate) = await controlPlane.JoinAsync(activation, "attacker");
        await using var agent = await TestAgent.ConnectAsync(controlPlane.Agents(victimCertificate), victim);
        var task = await RunTaskAsync(controlPlane);
        await agent.NextAsync(m => m.RunTask?.TaskArn == task);

        var hijack = await TestAgent.RefusedHelloAsync(controlPlane.Agents(attackerCertificate), TestAgent.Hello(victim, ulong.MaxValue));
        var reRegister = await Assert.ThrowsAsync<RpcException>(async () =>
            await controlPlane.Agents(attackerCertificate).RegisterAsync(TestAgent.Registration("attacker", victim), cancellationToken: Token));

        Assert.Equal(StatusCode.PermissionDenied, hijack.StatusCode);
        Assert.Contains($"not {victim}", hijack.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.PermissionDenied, reRegister.StatusCode);
        await agent.ReportAsync(task, Status.Running);
        Assert.Equal("RUNNING", await LastStatusAsync(controlPlane, task));
        Assert.False(agent.Ended.IsCompleted);
    }

    [Fact]
    public async Task CertificateOfAnotherCa_NamingARealInstance_IsRefused()
    {
        await using var controlPlane = await SecureControlPlane.StartAsync();
        var (victim, _) = await controlPlane.JoinAsync(await controlPlane.CreateActivationAsync());
        using var forged = Forge(victim);

        var refused = await TestAgent.RefusedHelloAsync(controlPlane.Agents(forged), TestAgent.Hello(victim));
        var renew = await Assert.ThrowsAsync<RpcException>(async () =>
            await controlPlane.Agents(forged).RenewCertificateAsync(new RenewCertificateRequest { CertificateRequest = NewRequest() }, cancellationToken: Token));

        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        Assert.Contains("not issued by this cluster's CA", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.Unauthenticated, renew.StatusCode);
    }

    [Fact]
    public async Task Plaintext_ToTheTlsPort_IsRefused_AndTheControlPlaneSaysWhy()
    {
        await using var controlPlane = await SecureControlPlane.StartAsync();
        await controlPlane.CallAsync("CreateCluster", """{"clusterName":"default"}""");
        using var plaintext = GrpcChannel.ForAddress($"http://127.0.0.1:{controlPlane.GrpcPort}");

        await Assert.ThrowsAsync<RpcException>(async () =>
            await new AgentService.AgentServiceClient(plaintext).RegisterAsync(TestAgent.Registration("plain"), cancellationToken: Token));

        Assert.Contains(controlPlane.Logs.Lines, l => l.Contains("Refused a plaintext connection from 127.0.0.1", StringComparison.Ordinal));
        Assert.Empty(EcsJson.Deserialize<ListContainerInstancesResponse>(await controlPlane.CallAsync("ListContainerInstances", "{}")).ContainerInstanceArns);
    }

    [Fact]
    public async Task ExpiredCertificate_IsRefused_RenewedOneWorks()
    {
        await using var controlPlane = await SecureControlPlane.StartAsync("--agent-certificate-lifetime=00:01:00");
        var (arn, certificate) = await controlPlane.JoinAsync(await controlPlane.CreateActivationAsync());

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        controlPlane.Clock.Offset = TimeSpan.FromSeconds(30); // half its life gone: an agent renews now
        var renewed = await controlPlane.Agents(certificate).RenewCertificateAsync(
            new RenewCertificateRequest { CertificateRequest = SecureControlPlane.CertificateRequestPem(key) }, cancellationToken: Token);
        using var fresh = SecureControlPlane.WithKey(renewed.Certificate, key);
        controlPlane.Clock.Offset = TimeSpan.FromSeconds(65);
        var expired = await TestAgent.RefusedHelloAsync(controlPlane.Agents(certificate), TestAgent.Hello(arn));
        await using var agent = await TestAgent.ConnectAsync(controlPlane.Agents(fresh), arn);

        Assert.True(fresh.NotAfter >= certificate.NotAfter.AddSeconds(25), $"{fresh.NotAfter:O} is not 30 s after {certificate.NotAfter:O}");
        Assert.NotEqual(certificate.GetPublicKeyString(), fresh.GetPublicKeyString());
        Assert.Equal(StatusCode.Unauthenticated, expired.StatusCode);
        Assert.Contains("not valid now", expired.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deregistering_RevokesTheCertificate_TheSessionEndsAndCannotComeBack()
    {
        await using var controlPlane = await SecureControlPlane.StartAsync();
        var (arn, certificate) = await controlPlane.JoinAsync(await controlPlane.CreateActivationAsync());
        var agent = await TestAgent.ConnectAsync(controlPlane.Agents(certificate), arn);

        await controlPlane.CallAsync("DeregisterContainerInstance", $$"""{"containerInstance":"{{arn}}","force":true}""");
        await agent.Ended.WaitAsync(TimeSpan.FromSeconds(10), Token);
        var again = await TestAgent.RefusedHelloAsync(controlPlane.Agents(certificate), TestAgent.Hello(arn));
        var renew = await Assert.ThrowsAsync<RpcException>(async () =>
            await controlPlane.Agents(certificate).RenewCertificateAsync(new RenewCertificateRequest { CertificateRequest = NewRequest() }, cancellationToken: Token));

        Assert.Equal(StatusCode.PermissionDenied, again.StatusCode);
        Assert.Contains("deregistered, so its certificate is revoked", again.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.PermissionDenied, renew.StatusCode);
        await agent.DisposeAsync();
    }

    [Fact]
    public async Task Restart_ReRegistersWithTheCertificate_SameInstance_NoActivationNeeded()
    {
        await using var controlPlane = await SecureControlPlane.StartAsync();
        var (arn, certificate) = await controlPlane.JoinAsync(await controlPlane.CreateActivationAsync());

        var again = await controlPlane.Agents(certificate).RegisterAsync(TestAgent.Registration("host", arn), cancellationToken: Token);

        Assert.Equal(arn, again.ContainerInstanceArn);
        Assert.Single(EcsJson.Deserialize<ListContainerInstancesResponse>(await controlPlane.CallAsync("ListContainerInstances", "{}")).ContainerInstanceArns);
    }

    private static async Task<RpcException> RefusedJoinAsync(SecureControlPlane controlPlane, ActivationInfo activation) =>
        await Assert.ThrowsAsync<RpcException>(async () => await controlPlane.JoinAsync(activation, "refused"));

    private static async Task<string> RunTaskAsync(SecureControlPlane controlPlane)
    {
        await controlPlane.CallAsync("RegisterTaskDefinition", $$"""
            {"family":"web","containerDefinitions":[{"name":"c","image":"local/busybox:1","memory":100,
              "environment":[{"name":"DB_PASSWORD","value":"{{EnvironmentSecret}}"}]}]}
            """);
        return Assert.Single(EcsJson.Deserialize<TasksResponse>(await controlPlane.CallAsync("RunTask", """{"taskDefinition":"web"}""")).Tasks).TaskArn;
    }

    private static async Task<string?> LastStatusAsync(SecureControlPlane controlPlane, string task) =>
        Assert.Single(EcsJson.Deserialize<TasksResponse>(await controlPlane.CallAsync("DescribeTasks", EcsJson.Serialize(new DescribeTasksRequest { Tasks = [task] }))).Tasks).LastStatus;

    private static string NewRequest()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return SecureControlPlane.CertificateRequestPem(key);
    }

    /// <summary>A client certificate for <paramref name="instanceArn"/> from a CA the attacker made.</summary>
    private static X509Certificate2 Forge(string instanceArn)
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=orch cluster CA forged", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=victim", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddUri(new Uri(instanceArn));
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.Create(ca, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(1), [1, 2, 3, 4]);
        return SecureControlPlane.WithKey(certificate.ExportCertificatePem(), key);
    }
}
