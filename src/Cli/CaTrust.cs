using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Orchestrator.Cli;

/// <summary>
/// Checks the control plane's certificate: against exactly the cluster's CA (its <c>ca.crt</c>) when there is a CA
/// file, else against the system's roots; and remembers why it rejected one, so the error can say so.
/// </summary>
internal sealed class CaTrust
{
    private readonly X509Certificate2Collection? _roots;

    private CaTrust(string? path, X509Certificate2Collection? roots)
    {
        Path = path;
        _roots = roots;
    }

    /// <summary>The CA file; null when the system's roots are trusted.</summary>
    public string? Path { get; }

    /// <summary>Why the last certificate was rejected, e.g. the chain status; null when none was.</summary>
    public string? Rejection { get; private set; }

    /// <summary>Whether the rejection was of the name (the certificate is the CA's, but not for this host).</summary>
    public bool RejectedName { get; private set; }

    public static CaTrust System() => new(null, null);

    public static CaTrust Load(string path)
    {
        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPemFile(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new CliException(ExitCodes.ConfigurationError, $"The CA file {path} could not be read: {e.Message}");
        }

        return roots.Count > 0
            ? new CaTrust(path, roots)
            : throw new CliException(ExitCodes.ConfigurationError, $"The CA file {path} holds no PEM certificate (-----BEGIN CERTIFICATE-----).");
    }

    /// <summary>
    /// The TLS handshake's check: the host name must match (only chain errors are acceptable from the system's
    /// check, which used the system roots) and the chain must build to one of the CA file's certificates.
    /// </summary>
    public bool Validate(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        Rejection = null;
        RejectedName = false;
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return Reject("it sent no certificate");
        }

        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            RejectedName = true;
            return Reject("the host name is not among its certificate's names");
        }

        if (_roots is null)
        {
            return errors == SslPolicyErrors.None || Reject(Describe(chain?.ChainStatus ?? [], errors.ToString()));
        }

        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(_roots);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            // The intermediates the server sent, if any; under CustomRootTrust they are not trusted by being here.
            custom.ChainPolicy.ExtraStore.AddRange(chain.ChainPolicy.ExtraStore);
        }

        if (custom.Build(leaf))
        {
            return true;
        }

        return Reject($"issued by {leaf.Issuer}: {Describe(custom.ChainStatus, "the chain does not build")}");
    }

    private static string Describe(X509ChainStatus[] status, string otherwise)
    {
        var text = string.Join("; ", status.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct(StringComparer.Ordinal));
        return text.Length > 0 ? text : otherwise;
    }

    private bool Reject(string reason)
    {
        Rejection = reason;
        return false;
    }
}
