using System.Net.Security;
using Orchestrator.Agent.Security;
using Orchestrator.Agent.Tests.Support;

namespace Orchestrator.Agent.Tests.Security;

/// <summary>The server-certificate check: the cluster CA only, and the host name always.</summary>
public sealed class ClusterCertificatesTests : IDisposable
{
    private readonly TestCa _ca = TestCa.Create("check-ca");
    private readonly TestCa _other = TestCa.Create("other-ca");

    public void Dispose()
    {
        _ca.Dispose();
        _other.Dispose();
    }

    [Fact]
    public void ServerCertificate_OfTheCa_ChainErrorOnly_Accepted()
    {
        using var server = _ca.IssueServer();

        Assert.True(ClusterCertificates.IsValidServerCertificate(server, SslPolicyErrors.RemoteCertificateChainErrors, _ca.Certificate, out var problem), problem);
        Assert.True(ClusterCertificates.IsValidServerCertificate(server, SslPolicyErrors.None, _ca.Certificate, out problem), problem);
    }

    [Fact]
    public void ServerCertificate_NameMismatch_RefusedEvenFromTheCa()
    {
        using var server = _ca.IssueServer();

        Assert.False(ClusterCertificates.IsValidServerCertificate(
            server, SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateChainErrors, _ca.Certificate, out var problem));
        Assert.Contains("does not name the host", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ServerCertificate_OfAnotherCa_RefusedEvenWithoutPolicyErrors()
    {
        using var server = _other.IssueServer();

        Assert.False(ClusterCertificates.IsValidServerCertificate(server, SslPolicyErrors.None, _ca.Certificate, out var problem));
        Assert.Contains("does not chain to the cluster CA", problem, StringComparison.Ordinal);
    }
}
