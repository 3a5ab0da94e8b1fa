using System.Security.Cryptography.X509Certificates;
using Orchestrator.Cli.Tests.Fakes;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Cli.Tests.Connection;

/// <summary>TLS to the control plane, trusting exactly the cluster's CA from the CA file.</summary>
public sealed class TlsTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly X509Certificate2 _ca = TestPki.CreateCa("orchestrator test CA");

    public void Dispose()
    {
        _ca.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public async Task CaFile_OfTheServersCa_Connects()
    {
        await using var server = await StartAsync(TestPki.IssueServer(_ca));
        var caFile = TestPki.WritePem(_ca, Path.Combine(_directory.Path, "ca.crt"));

        var result = await CliHarness.RunAsync(["cluster", "list", "--endpoint", server.Url], ("ORCH_CA_FILE", caFile));

        Assert.StartsWith("https://", server.Url, StringComparison.Ordinal);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("ListClusters", server.Api.Calls.First().Action);
    }

    [Fact]
    public async Task CaFile_WithAccessKey_CallsAreSignedOverTls()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken, new FakeServerOptions
        {
            Certificate = TestPki.IssueServer(_ca),
            Keys = new Dictionary<string, FakeKey> { ["AKTLS"] = new("tls-secret") },
        });
        var caFile = TestPki.WritePem(_ca, Path.Combine(_directory.Path, "ca.crt"));

        var result = await CliHarness.RunAsync(
            ["access-key", "list", "--endpoint", server.Url],
            ("ORCH_CA_FILE", caFile), ("ORCH_ACCESS_KEY_ID", "AKTLS"), ("ORCH_SECRET_ACCESS_KEY", "tls-secret"));

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("ORCH1-HMAC-SHA256 Credential=AKTLS, ", Assert.Single(server.Options.SeenCalls).Authorization, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CaFile_FromConfigFileNextToIt_ConnectsByHostName()
    {
        await using var server = await StartAsync(TestPki.IssueServer(_ca));
        TestPki.WritePem(_ca, Path.Combine(_directory.Path, "ca.crt"));
        var endpoint = server.Url.Replace("127.0.0.1", "localhost", StringComparison.Ordinal);
        var config = _directory.Write("config.json", $$"""{"endpoint": "{{endpoint}}", "caFile": "ca.crt"}""");

        var result = await CliHarness.RunAsync(["cluster", "list"], ("ORCH_CONFIG", config));

        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task CaFile_OfAnotherCa_ClearErrorAndExits255()
    {
        using var otherCa = TestPki.CreateCa("some other CA");
        await using var server = await StartAsync(TestPki.IssueServer(otherCa));
        var caFile = TestPki.WritePem(_ca, Path.Combine(_directory.Path, "ca.crt"));

        var result = await CliHarness.RunAsync(["cluster", "list", "--endpoint", server.Url], ("ORCH_CA_FILE", caFile));

        Assert.Equal(255, result.ExitCode);
        Assert.StartsWith(
            $"Could not connect to the control plane at {server.Url}: its certificate is not issued by the CA in {caFile} (issued by CN=some other CA",
            result.Stderr, StringComparison.Ordinal);
        Assert.Single(result.Stderr.Trim().Split('\n'));
        Assert.Empty(server.Api.Calls);
    }

    [Fact]
    public async Task CaFile_CertificateForAnotherName_SaysTheNameDoesNotMatch()
    {
        await using var server = await StartAsync(TestPki.IssueServer(_ca, "elsewhere.test"));
        var caFile = TestPki.WritePem(_ca, Path.Combine(_directory.Path, "ca.crt"));
        var endpoint = server.Url.Replace("127.0.0.1", "localhost", StringComparison.Ordinal);

        var result = await CliHarness.RunAsync(["cluster", "list", "--endpoint", endpoint], ("ORCH_CA_FILE", caFile));

        Assert.Equal(255, result.ExitCode);
        Assert.StartsWith($"Could not connect to the control plane at {endpoint}: its certificate is not for localhost", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoCaFile_SystemTrustRejectsTheClusterCa_SuggestsTheCaFile()
    {
        await using var server = await StartAsync(TestPki.IssueServer(_ca));

        var result = await CliHarness.RunAsync(["cluster", "list", "--endpoint", server.Url]);

        Assert.Equal(255, result.ExitCode);
        Assert.Contains("its certificate is not trusted by this system (", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("set ORCH_CA_FILE or caFile in the config file to the cluster's ca.crt", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HttpEndpoint_ToAPortThatClosesPlaintextAtOnce_AsksWhetherItMeantHttps()
    {
        // What the control plane's TLS port does with a plaintext connection: accept it and close it unread.
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        using var closing = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var closer = Task.Run(async () =>
        {
            while (!closing.IsCancellationRequested)
            {
                using var client = await listener.AcceptTcpClientAsync(closing.Token);
                client.Client.Close(0);
            }
        }, closing.Token);

        var result = await CliHarness.RunAsync(["cluster", "list", "--endpoint", $"http://127.0.0.1:{port}"]);
        await closing.CancelAsync();
        try
        {
            await closer; // ends with the cancelled accept, or between two accepts when it sees the cancellation first
        }
        catch (OperationCanceledException)
        {
        }

        Assert.Equal(255, result.ExitCode);
        Assert.True(result.Stderr.Contains($"did it mean https://127.0.0.1:{port}?", StringComparison.Ordinal), result.Stderr);
    }

    [Fact]
    public async Task HttpEndpoint_ToATlsPort_AsksWhetherItMeantHttps()
    {
        await using var server = await StartAsync(TestPki.IssueServer(_ca));
        var plaintext = server.Url.Replace("https://", "http://", StringComparison.Ordinal);

        var result = await CliHarness.RunAsync(["cluster", "list", "--endpoint", plaintext]);

        Assert.Equal(255, result.ExitCode);
        Assert.StartsWith($"Could not connect to the control plane at {plaintext}: ", result.Stderr, StringComparison.Ordinal);
        Assert.Contains($"did it mean {server.Url}?", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HttpsEndpoint_ToAPlaintextPort_AsksWhetherItIsPlaintext()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        var tls = server.Url.Replace("http://", "https://", StringComparison.Ordinal);

        var result = await CliHarness.RunAsync(["cluster", "list", "--endpoint", tls]);

        Assert.Equal(255, result.ExitCode);
        Assert.StartsWith($"Could not connect to the control plane at {tls}: the TLS handshake failed (", result.Stderr, StringComparison.Ordinal);
        Assert.Contains($"is it a plaintext endpoint ({server.Url})?", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not a certificate")]
    public async Task CaFile_MissingOrNotPem_ConfigurationErrorAndExits253(string? content)
    {
        var caFile = Path.Combine(_directory.Path, "ca.crt");
        if (content is not null)
        {
            File.WriteAllText(caFile, content);
        }

        var result = await CliHarness.RunAsync(["cluster", "list", "--endpoint", "https://127.0.0.1:1"], ("ORCH_CA_FILE", caFile));

        Assert.Equal(253, result.ExitCode);
        Assert.StartsWith($"The CA file {caFile} ", result.Stderr, StringComparison.Ordinal);
    }

    private static async Task<FakeClusterApiServer> StartAsync(X509Certificate2 certificate)
    {
        var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken, new FakeServerOptions { Certificate = certificate });
        server.Api.On("ListClusters", new ListClustersResponse([], null));
        server.Api.On("DescribeClusters", new DescribeClustersResponse([], []));
        return server;
    }
}
