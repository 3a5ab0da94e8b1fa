using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Orchestrator.Agent.Security;

/// <summary>Pure certificate checks and requests: chains against the cluster CA only, new keys and CSRs.</summary>
public static class ClusterCertificates
{
    /// <summary>
    /// Whether <paramref name="certificate"/> chains to <paramref name="ca"/> and nothing else (the system's roots are
    /// not consulted); <paramref name="problem"/> says why not.
    /// </summary>
    /// <param name="intermediates">Certificates the peer sent along, which may link it to the CA.</param>
    public static bool ChainsTo(
        X509Certificate2 certificate, X509Certificate2 ca, DateTime verificationTime, out string problem, IEnumerable<X509Certificate2>? intermediates = null)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(ca);
        using var chain = new X509Chain();
        foreach (var intermediate in intermediates ?? [])
        {
            chain.ChainPolicy.ExtraStore.Add(intermediate);
        }

        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = verificationTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        if (chain.Build(certificate))
        {
            problem = "";
            return true;
        }

        var statuses = chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct().ToList();
        problem = statuses.Count > 0 ? string.Join("; ", statuses) : "the chain does not end at the cluster CA";
        return false;
    }

    /// <summary>
    /// Checks the control plane's TLS certificate: it must name the host we connected to (the only policy error
    /// allowed is the chain's, since the cluster CA is not a system root) and chain to the cluster CA.
    /// </summary>
    /// <param name="sent">The chain TLS built from what the server sent (its intermediates, if any).</param>
    public static bool IsValidServerCertificate(
        X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2 ca, out string problem, X509Chain? sent = null)
    {
        ArgumentNullException.ThrowIfNull(ca);
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            problem = "the control plane presented no certificate";
            return false;
        }

        if ((errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != 0)
        {
            problem = $"the control plane's certificate ({certificate.Subject}) does not name the host the agent connected to ({errors})";
            return false;
        }

        using var server = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        var intermediates = sent?.ChainElements.Select(e => e.Certificate).Where(c => c.Thumbprint != server.Thumbprint).ToList();
        if (!ChainsTo(server, ca, DateTime.Now, out var chainProblem, intermediates))
        {
            problem = $"the control plane's certificate ({server.Subject}, issued by {server.Issuer}) does not chain to the cluster CA {Contracts.CaFingerprint.Of(ca)}: {chainProblem}";
            return false;
        }

        problem = "";
        return true;
    }

    /// <summary>A new ECDSA P-256 key and a PKCS#10 request (PEM) for it; the key stays with the caller.</summary>
    public static (ECDsa Key, string RequestPem) NewKeyAndRequest(string commonName)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var name = new X500DistinguishedNameBuilder();
        name.AddCommonName(commonName);
        var request = new CertificateRequest(name.Build(), key, HashAlgorithmName.SHA256);
        return (key, request.CreateSigningRequestPem());
    }

    /// <summary>The issued certificate (PEM) joined with its key; throws when it is not for that key.</summary>
    public static X509Certificate2 WithKey(string certificatePem, ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        using var certificate = X509Certificate2.CreateFromPem(certificatePem);
        using var issuedKey = certificate.GetECDsaPublicKey();
        if (issuedKey is null || !issuedKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo()))
        {
            throw new CryptographicException("The control plane issued a certificate for another key than the one requested.");
        }

        return certificate.CopyWithPrivateKey(key);
    }
}
