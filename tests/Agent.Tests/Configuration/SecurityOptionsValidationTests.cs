using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Security;
using Orchestrator.Agent.State;
using Orchestrator.Agent.Tests.Support;

namespace Orchestrator.Agent.Tests.Configuration;

/// <summary>What an https endpoint needs before the agent starts, and that an http one needs nothing.</summary>
public sealed class SecurityOptionsValidationTests : IDisposable
{
    private const string Fingerprint = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private readonly TempDirectory _dataDir = new();

    public void Dispose() => _dataDir.Dispose();

    [Fact]
    public void Https_NoStoredCaNoFileNoFingerprint_AsksForOne()
    {
        var failure = Fails(new AgentOptions { Endpoint = "https://cp:7070", DataDir = _dataDir.Path, ActivationId = "a", ActivationCode = "c" });

        Assert.Contains("name the control plane's CA with --ca-file or --ca-fingerprint (orch activation create prints it)", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Https_NoCertificateNoActivation_AsksForTheActivation()
    {
        var failure = Fails(new AgentOptions { Endpoint = "https://cp:7070", DataDir = _dataDir.Path, CaFingerprint = Fingerprint });

        Assert.Contains("--activation-id and --activation-code", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sha256:12")]
    [InlineData("md5:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("not a fingerprint")]
    public void Fingerprint_Malformed_Fails(string fingerprint)
    {
        var failure = Fails(new AgentOptions { Endpoint = "https://cp:7070", DataDir = _dataDir.Path, CaFingerprint = fingerprint, ActivationId = "a", ActivationCode = "c" });

        Assert.Contains("Agent:CaFingerprint (--ca-fingerprint, ORCH_CA_FINGERPRINT) must be sha256:", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void CaFile_Missing_Fails() =>
        Assert.Contains("Agent:CaFile (--ca-file, ORCH_CA_FILE)",
            Fails(new AgentOptions { Endpoint = "https://cp:7070", DataDir = _dataDir.Path, CaFile = "/nonexistent/ca.crt", ActivationId = "a", ActivationCode = "c" }),
            StringComparison.Ordinal);

    [Fact]
    public void Activation_HalfGiven_Fails() =>
        Assert.Contains("both its id and its code",
            Fails(new AgentOptions { Endpoint = "https://cp:7070", DataDir = _dataDir.Path, CaFingerprint = Fingerprint, ActivationId = "a" }),
            StringComparison.Ordinal);

    [Fact]
    public void Https_FingerprintAndActivation_Succeeds() =>
        Succeeds(new AgentOptions { Endpoint = "https://cp:7070", DataDir = _dataDir.Path, CaFingerprint = Fingerprint.ToUpperInvariant().Replace("SHA256", "sha256", StringComparison.Ordinal), ActivationId = "a", ActivationCode = "c" });

    [Fact]
    public void Https_StoredCaAndCertificate_NeedNothingElse()
    {
        var files = new PkiFiles(_dataDir.Path);
        Directory.CreateDirectory(files.DirectoryPath);
        File.WriteAllText(files.CaPath, "");
        File.WriteAllText(files.CertificatePath, "");

        Succeeds(new AgentOptions { Endpoint = "https://cp:7070", DataDir = _dataDir.Path });
    }

    [Fact]
    public void Http_NeedsNoCaNorActivation() => Succeeds(new AgentOptions { Endpoint = "http://127.0.0.1:7070", DataDir = _dataDir.Path });

    private static string Fails(AgentOptions options)
    {
        var result = new AgentOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        return result.FailureMessage;
    }

    private static void Succeeds(AgentOptions options)
    {
        var result = new AgentOptionsValidator().Validate(null, options);
        Assert.True(result.Succeeded, result.FailureMessage);
    }
}
