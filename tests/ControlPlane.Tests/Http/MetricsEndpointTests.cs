using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;

namespace Orchestrator.ControlPlane.Tests.Http;

/// <summary>
/// Who may scrape <c>/metrics</c>: loopback callers when no token is configured; with <c>--metrics-token-file</c>,
/// only a caller that sends the bearer token. The test server's requests have no remote address, as a caller from
/// another host would not be loopback.
/// </summary>
public sealed class MetricsEndpointTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task NoToken_LoopbackCallerScrapes_OthersAreRefused()
    {
        var dataDir = NewDataDir();
        var port = FreePort();
        await using (var app = ControlPlaneApp.Build([$"--data-dir={dataDir}", "--insecure", "--grpc-port=0", $"--http-port={port}"]))
        {
            await app.StartAsync(Token);
            using var http = new HttpClient();
            var body = await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/metrics"), Token);
            Assert.Contains("dotnet_gc_collections_total", body, StringComparison.Ordinal);
            Assert.Contains("service_name=\"orch-controlplane\"", body, StringComparison.Ordinal);
            await app.StopAsync(Token);
        }

        await using (var app = ControlPlaneApp.Build([$"--data-dir={dataDir}", "--insecure"], b => b.WebHost.UseTestServer()))
        {
            await app.StartAsync(Token);
            using var response = await app.GetTestClient().GetAsync(new Uri("/metrics", UriKind.Relative), Token);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.DoesNotContain("dotnet_", await response.Content.ReadAsStringAsync(Token), StringComparison.Ordinal);
            await app.StopAsync(Token);
        }

        Directory.Delete(dataDir, recursive: true);
    }

    [Fact]
    public async Task TokenFile_OnlyTheBearerTokenScrapes()
    {
        var dataDir = NewDataDir();
        var tokenFile = Path.Combine(dataDir, "metrics-token");
        await File.WriteAllTextAsync(tokenFile, "scrape-me-7f3a\n", Token);
        await using (var app = ControlPlaneApp.Build([$"--data-dir={dataDir}", "--insecure", $"--metrics-token-file={tokenFile}"], b => b.WebHost.UseTestServer()))
        {
            await app.StartAsync(Token);
            var client = app.GetTestClient();
            foreach (var header in new AuthenticationHeaderValue?[] { null, new("Bearer", "wrong"), new("Basic", "scrape-me-7f3a") })
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { Authorization = header } };
                using var refused = await client.SendAsync(request, Token);
                Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
                Assert.DoesNotContain("dotnet_", await refused.Content.ReadAsStringAsync(Token), StringComparison.Ordinal);
            }

            using var good = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", "scrape-me-7f3a") } };
            using var answered = await client.SendAsync(good, Token);
            Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
            Assert.Contains("dotnet_gc_collections_total", await answered.Content.ReadAsStringAsync(Token), StringComparison.Ordinal);
            await app.StopAsync(Token);
        }

        Directory.Delete(dataDir, recursive: true);
    }

    [Fact]
    public async Task EmptyTokenFile_RefusedAtStart_RatherThanLettingAnEmptyBearerThrough()
    {
        var dataDir = NewDataDir();
        var tokenFile = Path.Combine(dataDir, "metrics-token");
        await File.WriteAllTextAsync(tokenFile, " \n", Token);

        var refused = Assert.Throws<InvalidOperationException>(() =>
            ControlPlaneApp.Build([$"--data-dir={dataDir}", "--insecure", $"--metrics-token-file={tokenFile}"], b => b.WebHost.UseTestServer()));

        Assert.Contains("is empty", refused.Message, StringComparison.Ordinal);
        Directory.Delete(dataDir, recursive: true);
    }

    [Fact]
    public async Task TelemetryOff_NoMetricsEndpoint()
    {
        var dataDir = NewDataDir();
        await using (var app = ControlPlaneApp.Build([$"--data-dir={dataDir}", "--insecure", "--Telemetry:Enabled=false"], b => b.WebHost.UseTestServer()))
        {
            await app.StartAsync(Token);
            using var response = await app.GetTestClient().GetAsync(new Uri("/metrics", UriKind.Relative), Token);
            Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
            await app.StopAsync(Token);
        }

        Directory.Delete(dataDir, recursive: true);
    }

    private static string NewDataDir()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "orch-metrics-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDir);
        return dataDir;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
