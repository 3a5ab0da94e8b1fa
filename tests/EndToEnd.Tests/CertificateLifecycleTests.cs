using System.Security.Cryptography.X509Certificates;
using Orchestrator.Lab;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>
/// The real agent's client certificate over its life against the real control plane: renewed before it expires (the
/// agent stays connected, and comes back after a restart with the renewed one), and revoked by deregistering the
/// instance (the agent is refused, with the reason in both logs).
/// </summary>
public sealed class CertificateLifecycleTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact(Timeout = 360_000)]
    public async Task ShortLivedCertificate_IsRenewedBeforeItExpires_TheAgentStaysAndRestartsWithIt()
    {
        await using var cluster = await LocalCluster.StartAsync(TestContext.Current.CancellationToken, "--ControlPlane:AgentCertificateLifetime=00:01:00");
        var certificateFile = Path.Combine(cluster.AgentDataDir, "pki", "agent.crt");
        var first = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(certificateFile, Token));

        // 60 s certificates, renewed when a third is left: by 65 s, at least one renewal, and the first has expired.
        await Eventually.Async(async () =>
        {
            using var current = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(certificateFile, Token));
            Assert.NotEqual(first.Thumbprint, current.Thumbprint);
            Assert.True(DateTime.UtcNow > first.NotAfter.ToUniversalTime().AddSeconds(2), "the first certificate has not expired yet");
        }, TimeSpan.FromSeconds(150), cluster.Diagnostics);
        Assert.Contains("Renewed the client certificate", cluster.Agent!.Output, StringComparison.Ordinal);
        Assert.Contains("Renewed the client certificate of", cluster.ControlPlane!.Output, StringComparison.Ordinal);
        await cluster.WaitForConnectedInstanceAsync();

        // Restart right after a renewal, so that the certificate outlives the restart even on a slow machine (a restart
        // under load has taken 21 s from stop to connected); one that expired meanwhile would make the agent join anew.
        await Eventually.Async(async () =>
        {
            using var current = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(certificateFile, Token));
            Assert.True(current.NotAfter.ToUniversalTime() - DateTime.UtcNow > TimeSpan.FromSeconds(45), "no fresh renewal yet");
        }, TimeSpan.FromSeconds(60), cluster.Diagnostics);
        await cluster.Agent.StopAsync(TimeSpan.FromSeconds(30));
        await cluster.StartAgentAsync();
        var instance = await cluster.WaitForConnectedInstanceAsync();

        Assert.True(instance.GetProperty("agentConnected").GetBoolean());
        Assert.DoesNotContain("Joining the cluster with activation", cluster.Agent.Output, StringComparison.Ordinal); // its renewed certificate, not a new join
    }

    [Fact(Timeout = 180_000)]
    public async Task DeregisteringTheInstance_RevokesItsCertificate_TheAgentIsRefusedWithTheReason()
    {
        await using var cluster = await LocalCluster.StartAsync(TestContext.Current.CancellationToken);
        var arn = (await cluster.WaitForConnectedInstanceAsync()).GetProperty("containerInstanceArn").GetString()!;
        var aws = new AwsCli($"http://127.0.0.1:{cluster.HttpPort}", LocalCluster.AccessKeyId, LocalCluster.SecretAccessKey);

        (await aws.RunAsync("ecs", "deregister-container-instance", "--cluster", cluster.ClusterName, "--container-instance", arn, "--force")).EnsureSuccess();

        await Eventually.Async(() =>
        {
            Assert.Contains("deregistered, so its certificate is revoked", cluster.Agent!.Output, StringComparison.Ordinal);
            Assert.Contains("deregistered, so its certificate is revoked", cluster.ControlPlane!.Output, StringComparison.Ordinal);
            return Task.CompletedTask;
        }, TimeSpan.FromSeconds(60), cluster.Diagnostics);
        var instances = await cluster.OrchJsonAsync("instance", "list", "--cluster", cluster.ClusterName);
        Assert.Empty(instances.GetProperty("containerInstances").EnumerateArray().ToList());
    }
}
