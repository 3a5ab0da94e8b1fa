using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Orchestrator.Agent.Security;
using Orchestrator.Agent.State;
using Orchestrator.Agent.Tests.Support;

namespace Orchestrator.Agent.Tests.Security;

/// <summary>The PKI files: the key's mode, and a key and certificate that are always read as a matching pair.</summary>
public sealed class PkiFilesTests : IDisposable
{
    private readonly TempDirectory _dataDir = new();
    private readonly TestCa _ca = TestCa.Create("files-ca");

    public void Dispose()
    {
        _ca.Dispose();
        _dataDir.Dispose();
    }

    [Fact]
    public void Write_ThenRead_PairWithKey_KeyMode0600()
    {
        var files = new PkiFiles(_dataDir.Path);
        var (key, pem) = Issue();

        files.WriteClientCertificate(pem, key.ExportPkcs8PrivateKeyPem());

        using var read = files.ReadClientCertificate();
        Assert.NotNull(read);
        Assert.True(read.HasPrivateKey);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(files.KeyPath));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(files.DirectoryPath));
        }

        Assert.Equal(["agent.crt", "agent.key"], Directory.GetFiles(files.DirectoryPath).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void Read_CommitInterruptedAfterTheKeysRename_FinishesIt()
    {
        var files = new PkiFiles(_dataDir.Path);
        var (oldKey, oldPem) = Issue();
        files.WriteClientCertificate(oldPem, oldKey.ExportPkcs8PrivateKeyPem());
        var (newKey, newPem) = Issue();
        // As a crash leaves it: the new key in place, the new certificate still pending.
        File.WriteAllText(files.KeyPath, newKey.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(files.CertificatePath + ".new", newPem);

        using var read = files.ReadClientCertificate();

        Assert.NotNull(read);
        Assert.Equal(X509Certificate2.CreateFromPem(newPem).Thumbprint, read.Thumbprint);
        Assert.False(File.Exists(files.CertificatePath + ".new"));
    }

    [Fact]
    public void Read_UncommittedKey_IsDropped_TheOldPairStays()
    {
        var files = new PkiFiles(_dataDir.Path);
        var (oldKey, oldPem) = Issue();
        files.WriteClientCertificate(oldPem, oldKey.ExportPkcs8PrivateKeyPem());
        var (newKey, _) = Issue();
        File.WriteAllText(files.KeyPath + ".new", newKey.ExportPkcs8PrivateKeyPem());

        using var read = files.ReadClientCertificate();

        Assert.Equal(X509Certificate2.CreateFromPem(oldPem).Thumbprint, read?.Thumbprint);
        Assert.False(File.Exists(files.KeyPath + ".new"));
    }

    [Fact]
    public void Read_KeyOfAnotherCertificate_IsNoCertificate()
    {
        var files = new PkiFiles(_dataDir.Path);
        var (_, pem) = Issue();
        using var stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Directory.CreateDirectory(files.DirectoryPath);
        File.WriteAllText(files.CertificatePath, pem);
        File.WriteAllText(files.KeyPath, stranger.ExportPkcs8PrivateKeyPem());

        Assert.Null(files.ReadClientCertificate());
    }

    private (ECDsa Key, string CertificatePem) Issue()
    {
        var (key, request) = ClusterCertificates.NewKeyAndRequest("host");
        return (key, _ca.Sign(request, "arn:aws:ecs:us-east-1:000000000000:container-instance/default/1", TimeSpan.FromHours(1)));
    }
}
