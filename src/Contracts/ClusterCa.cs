using System.Security.Cryptography.X509Certificates;

namespace Orchestrator.Contracts;

/// <summary>The plain server-certificate check against one cluster CA, for clients that need no more than yes or no.</summary>
public static class ClusterCa
{
    /// <summary>
    /// Whether a TLS server's certificate names the host connected to and chains to <paramref name="ca"/> alone (the
    /// system's roots play no part).
    /// </summary>
    public static bool Trusts(X509Certificate2 ca, X509Certificate? certificate, System.Net.Security.SslPolicyErrors errors)
    {
        ArgumentNullException.ThrowIfNull(ca);
        if (certificate is null || (errors & ~System.Net.Security.SslPolicyErrors.RemoteCertificateChainErrors) != 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return chain.Build(leaf);
    }
}
