using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Orchestrator.Agent.Security;
using Orchestrator.Agent.State;
using Orchestrator.Agent.Tests.Support;
using Orchestrator.Contracts;
using F = Orchestrator.Agent.Tests.Support.FakeSecureControlPlane;

namespace Orchestrator.Agent.Tests.Security;

/// <summary>
/// The agent (built as Program.cs builds it, over a fake Docker) against a secure fake control plane: TLS with a test
/// CA, activations, client certificates, renewal and refusals.
/// </summary>
public sealed class SecureJoinTests : IAsyncLifetime
{
    private readonly TempDirectory _dataDir = new();
    private readonly TestCa _ca = TestCa.Create("cluster-ca");
    private readonly List<SecureAgentHost> _agents = [];
    private FakeSecureControlPlane _plane = null!;

    private PkiFiles Files => new(_dataDir.Path);

    public async ValueTask InitializeAsync() => _plane = await FakeSecureControlPlane.StartAsync(_ca);

    public async ValueTask DisposeAsync()
    {
        foreach (var agent in _agents)
        {
            await agent.DisposeAsync();
        }

        await _plane.DisposeAsync();
        _ca.Dispose();
        _dataDir.Dispose();
    }

    [Fact]
    public async Task FirstJoin_WithFingerprint_StoresCaKeyAndCertificate_AndTheKeyNeverLeavesTheHost()
    {
        var agent = await StartAgentAsync(Joining());

        var session = await _plane.NextSessionAsync();

        Assert.Equal(F.InstanceArn, (await session.HelloAsync()).ContainerInstanceArn);
        Assert.Equal(1, _plane.CaRequests);
        Assert.Equal(_ca.Certificate.RawData, X509Certificate2.CreateFromPem(File.ReadAllText(Files.CaPath)).RawData);
        var keyPem = File.ReadAllText(Files.KeyPath);
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", keyPem, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Files.KeyPath));
        }

        using var stored = X509Certificate2.CreateFromPem(File.ReadAllText(Files.CertificatePath), keyPem);
        Assert.True(_ca.Issued(stored));
        Assert.Contains(F.InstanceArn, stored.Extensions["2.5.29.17"]!.Format(false), StringComparison.Ordinal);

        var (request, presented) = Assert.Single(_plane.Registrations);
        Assert.Null(presented);
        Assert.Equal(F.ActivationId, request.ActivationId);
        Assert.Equal(F.ActivationCode, request.ActivationCode);
        Assert.StartsWith("-----BEGIN CERTIFICATE REQUEST-----", request.CertificateRequest, StringComparison.Ordinal);
        using var key = ECDsa.Create();
        key.ImportFromPem(keyPem);
        var csr = CertificateRequest.LoadSigningRequestPem(request.CertificateRequest, HashAlgorithmName.SHA256);
        Assert.Equal(key.ExportSubjectPublicKeyInfo(), csr.PublicKey.ExportSubjectPublicKeyInfo());
        var privateScalar = key.ExportParameters(includePrivateParameters: true).D!;
        Assert.True(request.ToByteArray().AsSpan().IndexOf(privateScalar) < 0, "the private key went over the wire");
        Assert.DoesNotContain("PRIVATE KEY", request.ToString(), StringComparison.Ordinal);

        Assert.Equal(stored.Thumbprint, session.ClientCertificate?.Thumbprint);
        AssertNoSecretLogged(agent);
    }

    [Fact]
    public async Task FirstJoin_WrongFingerprint_RefusesShowingTheOfferedOne_AndStoresAndSendsNothing()
    {
        using var other = TestCa.Create("another-ca");
        var agent = await StartAgentAsync(Joining(fingerprint: CaFingerprint.Of(other.Certificate)));

        await agent.Exit.Failed.WaitAsync(StoreWaits.DefaultTimeout, TestContext.Current.CancellationToken);

        Assert.Equal(2, agent.Exit.Code);
        Assert.Contains(CaFingerprint.Of(_ca.Certificate), agent.Exit.Message, StringComparison.Ordinal);
        Assert.True(agent.Logs.Any(LogLevel.Error, CaFingerprint.Of(_ca.Certificate)));
        Assert.Empty(_plane.Registrations);
        Assert.False(File.Exists(Files.CaPath));
        Assert.False(File.Exists(Files.KeyPath));
        Assert.False(File.Exists(Files.CertificatePath));
        AssertNoSecretLogged(agent);
    }

    [Fact]
    public async Task Restart_WithStoredCertificate_RegistersWithoutActivation_PresentingIt()
    {
        var first = await StartAgentAsync(Joining());
        await (await _plane.NextSessionAsync()).HelloAsync();
        await first.StopAsync();
        using var stored = X509Certificate2.CreateFromPem(File.ReadAllText(Files.CertificatePath));

        // No activation, no CA options: the stored CA and certificate are all it needs.
        await StartAgentAsync(new Dictionary<string, string?> { ["Endpoint"] = _plane.Address, ["DataDir"] = _dataDir.Path });
        var session = await _plane.NextSessionAsync();
        await session.HelloAsync();

        Assert.Equal(2, _plane.Registrations.Count);
        var (again, presented) = _plane.Registrations.Last();
        Assert.Equal("", again.ActivationId);
        Assert.Equal("", again.ActivationCode);
        Assert.Equal("", again.CertificateRequest);
        Assert.Equal(F.InstanceArn, again.ContainerInstanceArn);
        Assert.Equal(stored.Thumbprint, presented?.Thumbprint);
        Assert.Equal(stored.Thumbprint, session.ClientCertificate?.Thumbprint);
        Assert.Equal(1, _plane.CaRequests);
    }

    [Fact]
    public async Task ServerCertificateOfAnotherCa_IsRefused_AndTheActivationIsNeverSent()
    {
        using var impostorCa = TestCa.Create("impostor-ca");
        await using var impostor = await FakeSecureControlPlane.StartAsync(_ca, serverCa: impostorCa);

        var agent = await StartAgentAsync(Joining(endpoint: impostor.Address));

        await SecureAgentHost.WaitUntilAsync(
            () => agent.Logs.Any(LogLevel.Error, "does not chain to the cluster CA"), "the agent to refuse the server certificate");
        Assert.True(agent.Logs.Any(LogLevel.Error, "impostor-ca"));
        Assert.Empty(impostor.Registrations);
        Assert.False(File.Exists(Files.CertificatePath));
        AssertNoSecretLogged(agent);
    }

    [Fact]
    public async Task Renewal_ShortLivedCertificate_IsRenewedBeforeItExpires_AndTheNextSessionPresentsTheNewOne()
    {
        _plane.CertificateLifetime = TimeSpan.FromSeconds(30);
        var agent = await StartAgentAsync(Joining());
        var first = await _plane.NextSessionAsync();
        await first.HelloAsync();
        var original = first.ClientCertificate!;
        var originalKey = File.ReadAllText(Files.KeyPath);

        // Due two thirds into its lifetime: about 20 s.
        await SecureAgentHost.WaitUntilAsync(() => !_plane.Renewals.IsEmpty, "a renewal", TimeSpan.FromSeconds(40));
        await SecureAgentHost.WaitUntilAsync(
            () => CertificateOnDisk().Thumbprint != original.Thumbprint, "the renewed certificate to be stored");

        var (renewal, presented) = _plane.Renewals.First();
        Assert.Equal(original.Thumbprint, presented?.Thumbprint);
        Assert.StartsWith("-----BEGIN CERTIFICATE REQUEST-----", renewal.CertificateRequest, StringComparison.Ordinal);
        Assert.NotEqual(originalKey, File.ReadAllText(Files.KeyPath));
        using var renewed = CertificateOnDisk();
        Assert.True(renewed.NotAfter > original.NotAfter);
        using (X509Certificate2.CreateFromPem(File.ReadAllText(Files.CertificatePath), File.ReadAllText(Files.KeyPath)))
        {
            // The stored key and certificate belong together.
        }

        first.Drop();
        var second = await _plane.NextSessionAsync();
        await second.HelloAsync();

        Assert.Equal(renewed.Thumbprint, second.ClientCertificate?.Thumbprint);
        Assert.True(agent.Logs.Any(LogLevel.Information, "Renewed the client certificate"));
        Assert.Single(_plane.Registrations);
    }

    [Fact]
    public async Task RefusedActivation_StopsTheAgentWithExitCode2_AndTheServersReason()
    {
        _plane.RefuseActivations = $"Activation {F.ActivationId} has expired.";

        var agent = await StartAgentAsync(Joining());
        await agent.Exit.Failed.WaitAsync(StoreWaits.DefaultTimeout, TestContext.Current.CancellationToken);

        Assert.Equal(AgentExit.RefusedCode, agent.Exit.Code);
        Assert.Contains($"Activation {F.ActivationId} has expired.", agent.Exit.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', agent.Exit.Message!);
        Assert.True(agent.Logs.Any(LogLevel.Error, $"Activation {F.ActivationId} has expired."));
        Assert.Single(_plane.Registrations);
        Assert.False(File.Exists(Files.KeyPath));
        Assert.False(File.Exists(Files.CertificatePath));
        AssertNoSecretLogged(agent);
    }

    [Fact]
    public async Task RefusedSession_Revoked_LogsTheReasonAndKeepsRetrying()
    {
        var agent = await StartAgentAsync(Joining());
        var first = await _plane.NextSessionAsync();
        await first.HelloAsync();
        _plane.RefuseSessions = "Container instance deregistered: its certificate is revoked.";

        first.Drop();

        await _plane.NextSessionAsync();
        await _plane.NextSessionAsync();
        await SecureAgentHost.WaitUntilAsync(
            () => agent.Logs.Any(LogLevel.Error, "Container instance deregistered: its certificate is revoked."), "the refusal to be logged");
        Assert.Null(agent.Exit.Message);
    }

    [Fact]
    public async Task PlaintextEndpoint_ReachingTheTlsPort_SaysTheEndpointShouldBeHttps()
    {
        var agent = await StartAgentAsync(new Dictionary<string, string?>
        {
            ["Endpoint"] = $"http://127.0.0.1:{_plane.Port}",
            ["DataDir"] = _dataDir.Path,
        });

        await SecureAgentHost.WaitUntilAsync(
            () => agent.Logs.Any(LogLevel.Error, "speaks TLS; the endpoint should be https://"), "the hint to use https");
        Assert.Empty(_plane.Registrations);
        Assert.False(Directory.Exists(Files.DirectoryPath));
    }

    [Fact]
    public async Task ExpiredCertificate_JoinsAgainWithTheActivation_AndTheSavedArn()
    {
        _plane.CertificateLifetime = TimeSpan.FromSeconds(2);
        var first = await StartAgentAsync(Joining());
        await (await _plane.NextSessionAsync()).HelloAsync();
        await first.StopAsync();
        await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken);
        _plane.CertificateLifetime = TimeSpan.FromDays(1);

        await StartAgentAsync(Joining());
        var session = await _plane.NextSessionAsync();
        await session.HelloAsync();

        var (again, presented) = _plane.Registrations.Last();
        Assert.Null(presented);
        Assert.Equal(F.ActivationId, again.ActivationId);
        Assert.Equal(F.InstanceArn, again.ContainerInstanceArn);
        Assert.Equal(CertificateOnDisk().Thumbprint, session.ClientCertificate?.Thumbprint);
    }

    [Fact]
    public async Task CertificateExpiresWhileRenewalsFail_RenewalWarns_SessionRefused_JoinsAgainWithTheActivation()
    {
        _plane.CertificateLifetime = TimeSpan.FromSeconds(3);
        _plane.FailRenewals = "renewals are down";
        var agent = await StartAgentAsync(Joining());
        var first = await _plane.NextSessionAsync();
        await first.HelloAsync();
        await SecureAgentHost.WaitUntilAsync(() => agent.Logs.Any(LogLevel.Warning, "renewals are down"), "a failed renewal to be logged");
        await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken);
        _plane.CertificateLifetime = TimeSpan.FromDays(1);
        _plane.FailRenewals = null;

        first.Drop();

        await SecureAgentHost.WaitUntilAsync(() => _plane.Registrations.Count == 2, "the agent to join again");
        var (again, presented) = _plane.Registrations.Last();
        Assert.Null(presented);
        Assert.Equal(F.ActivationId, again.ActivationId);
        Assert.Equal(F.InstanceArn, again.ContainerInstanceArn);
        SecureSession session;
        do
        {
            session = await _plane.NextSessionAsync();
        }
        while (session.ClientCertificate is null || !_ca.Issued(session.ClientCertificate));
        await session.HelloAsync();
        Assert.Equal(CertificateOnDisk().Thumbprint, session.ClientCertificate.Thumbprint);
        Assert.True(agent.Logs.Any(LogLevel.Error, "A client certificate of the cluster CA is required."));
        AssertNoSecretLogged(agent);
    }

    [Fact]
    public async Task CaFile_IsTrustedWithoutAskingTheControlPlane_AndStored()
    {
        var caFile = Path.Combine(_dataDir.Path, "given-ca.pem");
        File.WriteAllText(caFile, _ca.Pem);
        var settings = Joining();
        settings.Remove("CaFingerprint");
        settings["CaFile"] = caFile;

        await StartAgentAsync(settings);
        await (await _plane.NextSessionAsync()).HelloAsync();

        Assert.Equal(0, _plane.CaRequests);
        Assert.Equal(_ca.Certificate.RawData, X509Certificate2.CreateFromPem(File.ReadAllText(Files.CaPath)).RawData);
    }

    [Fact]
    public async Task StoredCa_AnotherFingerprintGiven_Refused()
    {
        var first = await StartAgentAsync(Joining());
        await (await _plane.NextSessionAsync()).HelloAsync();
        await first.StopAsync();
        using var other = TestCa.Create("another-ca");

        var second = await StartAgentAsync(Joining(fingerprint: CaFingerprint.Of(other.Certificate)));
        await second.Exit.Failed.WaitAsync(StoreWaits.DefaultTimeout, TestContext.Current.CancellationToken);

        Assert.Contains(CaFingerprint.Of(_ca.Certificate), second.Exit.Message, StringComparison.Ordinal);
        Assert.Single(_plane.Registrations);
    }

    [Fact]
    public async Task PlaintextEndpoint_WorksAsBefore_WithoutCertificates()
    {
        await using var plaintext = await FakeAgentEndpoint.StartAsync();

        // Activation options left in a config file are harmless over http: nothing is sent, nothing stored.
        var settings = Joining(endpoint: plaintext.Address);
        var agent = await StartAgentAsync(settings);
        await (await plaintext.NextSessionAsync()).NextAsync(Orchestrator.Contracts.Agent.AgentMessage.KindOneofCase.Hello);

        var registration = Assert.Single(plaintext.Registrations);
        Assert.Equal("", registration.ActivationCode);
        Assert.Equal("", registration.CertificateRequest);
        Assert.False(Directory.Exists(Files.DirectoryPath));
        Assert.Equal(0, _plane.CaRequests);
        Assert.True(agent.Logs.Any(LogLevel.Warning, "the activation and CA settings are ignored"));
        AssertNoSecretLogged(agent);
        // Before the endpoint goes: it would wait for the open session.
        await agent.StopAsync();
    }

    private X509Certificate2 CertificateOnDisk() => X509Certificate2.CreateFromPem(File.ReadAllText(Files.CertificatePath));

    private Dictionary<string, string?> Joining(string? endpoint = null, string? fingerprint = null) => new()
    {
        ["Endpoint"] = endpoint ?? _plane.Address,
        ["DataDir"] = _dataDir.Path,
        ["ActivationId"] = F.ActivationId,
        ["ActivationCode"] = F.ActivationCode,
        ["CaFingerprint"] = fingerprint ?? CaFingerprint.Of(_ca.Certificate),
    };

    private async Task<SecureAgentHost> StartAgentAsync(Dictionary<string, string?> settings)
    {
        var agent = await SecureAgentHost.StartAsync(settings);
        _agents.Add(agent);
        return agent;
    }

    private static void AssertNoSecretLogged(SecureAgentHost agent)
    {
        Assert.NotEmpty(agent.Logs.Lines);
        Assert.DoesNotContain(agent.Logs.Lines, l => l.Text.Contains(F.ActivationCode, StringComparison.Ordinal));
        Assert.DoesNotContain(agent.Logs.Lines, l => l.Text.Contains("PRIVATE KEY", StringComparison.Ordinal));
        Assert.DoesNotContain(F.ActivationCode, agent.Exit.Message ?? "", StringComparison.Ordinal);
    }
}
