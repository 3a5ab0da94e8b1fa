using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Orchestrator.Agent.State;

/// <summary>
/// The host's PKI files under <c>DATA-DIR/pki</c>: the cluster CA (<c>ca.crt</c>), the host's private key
/// (<c>agent.key</c>, PKCS#8 PEM, mode 0600) and its client certificate (<c>agent.crt</c>). Every file is written to a
/// temporary name and renamed, so a crash never leaves half a file; a new key and certificate are committed together
/// (see <see cref="WriteClientCertificate"/>).
/// </summary>
public sealed class PkiFiles(string dataDir)
{
    public const string DirectoryName = "pki";

    private const UnixFileMode Secret = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode Public = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    public string DirectoryPath { get; } = Path.Combine(dataDir, DirectoryName);

    public string CaPath => Path.Combine(DirectoryPath, "ca.crt");

    public string KeyPath => Path.Combine(DirectoryPath, "agent.key");

    public string CertificatePath => Path.Combine(DirectoryPath, "agent.crt");

    private string PendingKeyPath => KeyPath + ".new";

    private string PendingCertificatePath => CertificatePath + ".new";

    /// <summary>The stored CA, or null when there is none.</summary>
    public X509Certificate2? ReadCa() => File.Exists(CaPath) ? X509Certificate2.CreateFromPem(File.ReadAllText(CaPath)) : null;

    public void WriteCa(X509Certificate2 ca)
    {
        ArgumentNullException.ThrowIfNull(ca);
        EnsureDirectory();
        WriteAtomically(CaPath, ca.ExportCertificatePem() + "\n", Public);
    }

    /// <summary>
    /// The stored client certificate with its key, or null when there is none or the two do not belong together.
    /// Completes a new key and certificate pair whose commit was interrupted.
    /// </summary>
    public X509Certificate2? ReadClientCertificate()
    {
        RecoverPendingPair();
        if (!File.Exists(CertificatePath) || !File.Exists(KeyPath))
        {
            return null;
        }

        try
        {
            return Usable(X509Certificate2.CreateFromPem(File.ReadAllText(CertificatePath), File.ReadAllText(KeyPath)));
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>
    /// Replaces the key and certificate together: both are written under pending names (the key first; the
    /// certificate's rename is the commit), then renamed into place. <see cref="ReadClientCertificate"/> finishes a
    /// commit a crash interrupted and drops a pending key that was never committed.
    /// </summary>
    public void WriteClientCertificate(string certificatePem, string keyPem)
    {
        ArgumentNullException.ThrowIfNull(certificatePem);
        ArgumentNullException.ThrowIfNull(keyPem);
        EnsureDirectory();
        WriteAtomically(PendingKeyPath, keyPem, Secret);
        WriteAtomically(PendingCertificatePath, certificatePem, Public);
        RecoverPendingPair();
    }

    /// <summary>A certificate with its private key in a form TLS can present on every platform.</summary>
    public static X509Certificate2 Usable(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        if (!OperatingSystem.IsWindows())
        {
            return certificate;
        }

        // SChannel cannot use an ephemeral key: round-trip through PKCS#12 to give it a persisted one.
        using (certificate)
        {
            return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
        }
    }

    private void RecoverPendingPair()
    {
        if (File.Exists(PendingCertificatePath))
        {
            if (File.Exists(PendingKeyPath))
            {
                File.Move(PendingKeyPath, KeyPath, overwrite: true);
            }

            File.Move(PendingCertificatePath, CertificatePath, overwrite: true);
        }
        else if (File.Exists(PendingKeyPath))
        {
            File.Delete(PendingKeyPath);
        }
    }

    private void EnsureDirectory()
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(DirectoryPath);
        }
        else
        {
            Directory.CreateDirectory(DirectoryPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private static void WriteAtomically(string path, string contents, UnixFileMode mode)
    {
        var temporary = path + ".tmp";
        // The mode applies only when the file is created.
        File.Delete(temporary);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = mode;
        }

        using (var stream = new FileStream(temporary, options))
        {
            stream.Write(Encoding.ASCII.GetBytes(contents));
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
