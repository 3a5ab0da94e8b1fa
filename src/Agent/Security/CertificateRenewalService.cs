using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Orchestrator.Agent.Configuration;
using Orchestrator.Contracts.Agent;

namespace Orchestrator.Agent.Security;

/// <summary>
/// Renews the client certificate when less than a third of its lifetime remains: a new key and certificate request,
/// RenewCertificate over mutual TLS with the current certificate, both stored, and new connections use the new one.
/// A failure is logged and retried with back-off. Does nothing over plaintext http.
/// </summary>
public sealed partial class CertificateRenewalService(
    AgentCredentials credentials,
    ControlPlaneConnection connection,
    IOptions<AgentOptions> options,
    TimeProvider time,
    ILogger<CertificateRenewalService> logger) : BackgroundService
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>The longest single wait, so a clock that jumps is noticed.</summary>
    private static readonly TimeSpan LongestWait = TimeSpan.FromHours(1);

    /// <summary>When a certificate is due for renewal: two thirds into its lifetime.</summary>
    public static DateTimeOffset RenewalDue(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var notBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime());
        var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime());
        return notAfter - ((notAfter - notBefore) / 3);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.UsesTls)
        {
            return;
        }

        var maxDelay = settings.CertificateRenewalMaxDelay > TimeSpan.FromSeconds(1) ? settings.CertificateRenewalMaxDelay : TimeSpan.FromSeconds(1);
        var backoff = new Backoff(TimeSpan.FromSeconds(1), maxDelay, 2.0, 0.2);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var changed = credentials.NextChange;
                var certificate = credentials.Certificate;
                var wait = certificate is null ? LongestWait : RenewalDue(certificate) - time.GetUtcNow();
                if (certificate is null || wait > TimeSpan.Zero)
                {
                    await WaitAsync(changed, wait < LongestWait ? wait : LongestWait, stoppingToken).ConfigureAwait(false);
                    continue;
                }

                try
                {
                    await RenewAsync(certificate, stoppingToken).ConfigureAwait(false);
                    backoff.Reset();
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    var delay = backoff.Next();
                    var reason = e is RpcException rpc ? $"{rpc.StatusCode} {rpc.Status.Detail}" : e.Message;
                    Log.RenewalFailed(logger, certificate.NotAfter.ToUniversalTime(), reason, delay);
                    await Task.Delay(delay, time, stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task RenewAsync(X509Certificate2 current, CancellationToken cancellationToken)
    {
        var commonName = current.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        var (key, certificateRequest) = ClusterCertificates.NewKeyAndRequest(string.IsNullOrEmpty(commonName) ? "orch-agent" : commonName);
        using (key)
        {
            RenewCertificateResponse response;
            using (var lease = connection.Acquire())
            {
                response = await lease.Client.RenewCertificateAsync(
                    new RenewCertificateRequest { CertificateRequest = certificateRequest },
                    deadline: time.GetUtcNow().UtcDateTime + Deadline,
                    cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            if (string.IsNullOrEmpty(response.Certificate))
            {
                throw new RpcException(new Grpc.Core.Status(StatusCode.Internal, "RenewCertificate answered without a certificate."));
            }

            var renewed = credentials.Store(response.Certificate, key);
            Log.Renewed(logger, renewed.Thumbprint, renewed.NotAfter.ToUniversalTime());
        }
    }

    private async Task WaitAsync(Task changed, TimeSpan wait, CancellationToken cancellationToken)
    {
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delay = Task.Delay(wait, time, waiting.Token);
        await Task.WhenAny(changed, delay).ConfigureAwait(false);
        await waiting.CancelAsync().ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
    }
}
