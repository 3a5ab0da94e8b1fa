namespace Orchestrator.ControlPlane.Tests;

/// <summary>Start-up refuses an ECS API open beyond loopback: at least one access key, and a clean exit when not.</summary>
public sealed class ControlPlaneOptionsValidatorTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "orch-options-" + Guid.NewGuid().ToString("N"));

    public ControlPlaneOptionsValidatorTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("", "0.0.0.0", null)]
    [InlineData("# no keys yet\n\n   \n", "0.0.0.0", null)]
    [InlineData("", "127.0.0.1", "0.0.0.0")]
    [InlineData("# comment\n", null, "0.0.0.0")]
    public void Validate_KeysFileWithoutKeys_BeyondLoopback_FailsNamingTheOption(string file, string? listen, string? httpListen)
    {
        var options = new ControlPlaneOptions { AccessKeysFile = Keys(file), ListenAddress = listen ?? "127.0.0.1", HttpListenAddress = httpListen, Insecure = true };

        var result = new ControlPlaneOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.Contains("--access-keys-file", StringComparison.Ordinal) && f.Contains("holds no access key", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.Contains("without access keys", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_InsecureBeyondLoopback_FailsNamingTheOption()
    {
        var result = new ControlPlaneOptionsValidator().Validate(null, new ControlPlaneOptions { ListenAddress = "0.0.0.0", Insecure = true });

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.Contains("--insecure", StringComparison.Ordinal) && f.Contains("loopback only", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_SecureBeyondLoopbackWithoutKeysFile_Succeeds_TheAdminKeyGuardsIt()
    {
        Assert.True(new ControlPlaneOptionsValidator().Validate(null, new ControlPlaneOptions { ListenAddress = "0.0.0.0" }).Succeeded);
    }

    [Theory]
    [InlineData("5s")]
    [InlineData("400.00:00:00")]
    public void Validate_AgentCertificateLifetimeOutOfBounds_Fails(string lifetime)
    {
        var options = new ControlPlaneOptions { AgentCertificateLifetime = lifetime == "5s" ? TimeSpan.FromSeconds(5) : TimeSpan.Parse(lifetime, System.Globalization.CultureInfo.InvariantCulture) };

        Assert.Contains(new ControlPlaneOptionsValidator().Validate(null, options).Failures!, f => f.Contains("--agent-certificate-lifetime", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_SecretsKeyFileThatDoesNotExist_FailsNamingTheOption()
    {
        var result = new ControlPlaneOptionsValidator().Validate(null, new ControlPlaneOptions { SecretsKeyFile = Path.Combine(_dir, "missing.key") });

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.Contains("--secrets-key-file", StringComparison.Ordinal) && f.Contains("does not exist", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_EmptyKeysFileOnLoopback_FailsToo()
    {
        var result = new ControlPlaneOptionsValidator().Validate(null, new ControlPlaneOptions { AccessKeysFile = Keys("") });

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.Contains("--access-keys-file", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_OneKeyBeyondLoopback_Succeeds()
    {
        var options = new ControlPlaneOptions { AccessKeysFile = Keys("# ops\nAKID secret\n"), ListenAddress = "0.0.0.0" };

        Assert.True(new ControlPlaneOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public void Validate_BadKeysFileLine_NeverEchoesTheLine()
    {
        var options = new ControlPlaneOptions { AccessKeysFile = Keys("AKID-without-a-secret-but-TOPSECRETVALUE\n") };

        var failures = new ControlPlaneOptionsValidator().Validate(null, options).Failures!;

        Assert.Contains(failures, f => f.Contains("--access-keys-file", StringComparison.Ordinal));
        Assert.DoesNotContain(failures, f => f.Contains("TOPSECRETVALUE", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_EmptyKeysFileBeyondLoopback_ExitsCleanlyWithOneLinePerProblem()
    {
        using var error = new StringWriter();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));

        var code = await ControlPlaneApp.RunAsync(
            [$"--data-dir={_dir}", $"--access-keys-file={Keys("")}", "--listen=0.0.0.0", "--grpc-port=0", "--http-port=0"], error, timeout.Token);

        Assert.Equal(2, code);
        var lines = error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(lines, line => Assert.StartsWith("controlplane: ", line, StringComparison.Ordinal));
        Assert.Contains(lines, line => line.Contains("--access-keys-file", StringComparison.Ordinal));
        Assert.DoesNotContain("   at ", error.ToString(), StringComparison.Ordinal);
    }

    private string Keys(string text)
    {
        var path = Path.Combine(_dir, Guid.NewGuid().ToString("N"));
        File.WriteAllText(path, text);
        return path;
    }
}
