using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Orchestrator.Agent.Configuration;
using Orchestrator.Contracts;
using Orchestrator.Contracts.Agent;

namespace Orchestrator.Agent.Security;

/// <summary>
/// Decides which CA the agent trusts for the control plane: the stored <c>ca.crt</c> (a given fingerprint must match
/// it), else <c>--ca-file</c>, else the CA the control plane offers (GetClusterCa, over TLS without checking the
/// server, since the CA is what is being learned) when it matches <c>--ca-fingerprint</c>. The choice is stored.
/// Nothing secret is sent before the CA is settled.
/// </summary>
public sealed partial class ClusterTrust(AgentCredentials credentials, IOptions<AgentOptions> options, TimeProvider time, ILogger<ClusterTrust> logger)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    public async Task<X509Certificate2> EnsureAsync(CancellationToken cancellationToken)
    {
        if (credentials.Ca is { } known)
        {
            return known;
        }

        var settings = options.Value;
        var files = credentials.Files;
        var fingerprint = string.IsNullOrWhiteSpace(settings.CaFingerprint) ? null : settings.CaFingerprint.Trim();
        var stored = ReadPem(files.CaPath, () => files.ReadCa());
        if (stored is not null)
        {
            if (fingerprint is not null && !CaFingerprint.Matches(stored, fingerprint))
            {
                throw new AgentRefusedException(
                    $"The stored cluster CA {files.CaPath} has the fingerprint {CaFingerprint.Of(stored)}, not {fingerprint} (--ca-fingerprint): " +
                    $"this host belongs to another cluster; remove {files.DirectoryPath} to join anew.");
            }

            credentials.TrustCa(stored);
            Log.TrustingStored(logger, CaFingerprint.Of(stored), files.CaPath);
            return stored;
        }

        X509Certificate2 ca;
        if (!string.IsNullOrWhiteSpace(settings.CaFile))
        {
            ca = ReadPem(settings.CaFile, () => X509Certificate2.CreateFromPem(File.ReadAllText(settings.CaFile)))!;
            if (fingerprint is not null && !CaFingerprint.Matches(ca, fingerprint))
            {
                throw new AgentRefusedException(
                    $"The CA in {settings.CaFile} (--ca-file) has the fingerprint {CaFingerprint.Of(ca)}, not {fingerprint} (--ca-fingerprint).");
            }

            Log.TrustingFile(logger, CaFingerprint.Of(ca), settings.CaFile);
        }
        else if (fingerprint is not null)
        {
            ca = await FetchAsync(settings, fingerprint, cancellationToken).ConfigureAwait(false);
            Log.TrustingFetched(logger, CaFingerprint.Of(ca), settings.Endpoint);
        }
        else
        {
            throw new AgentRefusedException(
                $"The endpoint {settings.Endpoint} is https:// and the agent has no stored CA ({files.CaPath}): " +
                "name the control plane's CA with --ca-file or --ca-fingerprint (orch activation create prints it).");
        }

        files.WriteCa(ca);
        credentials.TrustCa(ca);
        return ca;
    }

    private async Task<X509Certificate2> FetchAsync(AgentOptions settings, string fingerprint, CancellationToken cancellationToken)
    {
        using var channel = AgentChannel.CreateForCaDiscovery(settings);
        var client = new AgentService.AgentServiceClient(channel);
        var response = await client.GetClusterCaAsync(
            new ClusterCaRequest(), deadline: time.GetUtcNow().UtcDateTime + Deadline, cancellationToken: cancellationToken).ConfigureAwait(false);
        X509Certificate2 offered;
        try
        {
            offered = X509Certificate2.CreateFromPem(response.CaCertificate);
        }
        catch (CryptographicException e)
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.Internal, $"GetClusterCa answered something that is not a PEM certificate: {e.Message}"));
        }

        if (!CaFingerprint.Matches(offered, fingerprint))
        {
            var received = CaFingerprint.Of(offered);
            offered.Dispose();
            throw new AgentRefusedException(
                $"The control plane at {settings.Endpoint} offered a CA with the fingerprint {received}, not {fingerprint} (--ca-fingerprint): " +
                "refusing to trust it; nothing was sent or stored.");
        }

        return offered;
    }

    private static X509Certificate2? ReadPem(string path, Func<X509Certificate2?> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new AgentRefusedException($"{path} is not a readable PEM certificate: {e.Message}", e);
        }
    }
}
