using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.ControlPlane.Discovery;

namespace Orchestrator.ControlPlane.Tests.Discovery;

/// <summary>
/// The control plane's discovery front ends in process: <c>/discovery/v1</c> under /metrics' access rule (the test
/// server's requests have no remote address, as a caller from another host), and the DNS server on a loopback port
/// the OS chose, surviving junk.
/// </summary>
public sealed class DiscoveryEndpointTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task HttpList_NotLoopbackWithoutToken_403_WithTokenFile_OnlyTheBearer()
    {
        var dataDir = Directory.CreateTempSubdirectory("orch-discovery-").FullName;
        var tokenFile = Path.Combine(dataDir, "token");
        await File.WriteAllTextAsync(tokenFile, "find-me-91c2\n", Token);
        await using (var app = ControlPlaneApp.Build([$"--data-dir={dataDir}", "--insecure"], b => b.WebHost.UseTestServer()))
        {
            await app.StartAsync(Token);
            using var refused = await app.GetTestClient().GetAsync(new Uri("/discovery/v1/default", UriKind.Relative), Token);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            await app.StopAsync(Token);
        }

        await using (var app = ControlPlaneApp.Build([$"--data-dir={dataDir}", "--insecure", $"--metrics-token-file={tokenFile}"], b => b.WebHost.UseTestServer()))
        {
            await app.StartAsync(Token);
            var client = app.GetTestClient();
            using var none = await client.GetAsync(new Uri("/discovery/v1/default/web", UriKind.Relative), Token);
            using var wrong = new HttpRequestMessage(HttpMethod.Get, "/discovery/v1/default/web") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", "nope") } };
            using var wrongAnswer = await client.SendAsync(wrong, Token);
            using var good = new HttpRequestMessage(HttpMethod.Get, "/discovery/v1/default") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", "find-me-91c2") } };
            using var goodAnswer = await client.SendAsync(good, Token);
            using var missing = new HttpRequestMessage(HttpMethod.Get, "/discovery/v1/default/web") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", "find-me-91c2") } };
            using var missingAnswer = await client.SendAsync(missing, Token);

            Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, wrongAnswer.StatusCode);
            Assert.Equal(HttpStatusCode.OK, goodAnswer.StatusCode);
            Assert.Equal("""{"registrations":[]}""", await goodAnswer.Content.ReadAsStringAsync(Token));
            Assert.Equal(HttpStatusCode.NotFound, missingAnswer.StatusCode);
            await app.StopAsync(Token);
        }

        Directory.Delete(dataDir, recursive: true);
    }

    [Fact]
    public async Task DnsServer_OnLoopbackOnly_AnswersAfterJunk_RefusesOutOfZone_NeverSilentOnAQuery()
    {
        var dataDir = Directory.CreateTempSubdirectory("orch-discovery-").FullName;
        await using (var app = ControlPlaneApp.Build([$"--data-dir={dataDir}", "--insecure", "--dns-port=0"], b => b.WebHost.UseTestServer()))
        {
            await app.StartAsync(Token);
            var server = app.Services.GetRequiredService<DnsServer>();
            var port = 0;
            for (var i = 0; i < 100 && (port = server.BoundPort) == 0; i++)
            {
                await Task.Delay(50, Token);
            }

            using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
            var target = new IPEndPoint(IPAddress.Loopback, port);
            var random = new Random(7);
            for (var i = 0; i < 200; i++)
            {
                var junk = new byte[random.Next(0, 600)];
                random.NextBytes(junk);
                await udp.SendAsync(junk, target, Token);
            }

            // Drain whatever the junk got (FORMERR or nothing), then ask a real question.
            using var drain = CancellationTokenSource.CreateLinkedTokenSource(Token);
            drain.CancelAfter(TimeSpan.FromMilliseconds(500));
            try
            {
                while (true)
                {
                    await udp.ReceiveAsync(drain.Token);
                }
            }
            catch (OperationCanceledException) when (!Token.IsCancellationRequested)
            {
            }

            await udp.SendAsync(DnsTestPacket.Query(77, "example.com", DnsTypes.A), target, Token);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(Token);
            wait.CancelAfter(TimeSpan.FromSeconds(10));
            var answer = DnsTestPacket.Read((await udp.ReceiveAsync(wait.Token)).Buffer);

            Assert.NotEqual(0, port);
            Assert.Equal((77, DnsRcode.Refused), (answer.Id, answer.Rcode));
            // Bound to 127.0.0.1 only: /proc/net/udp and /proc/net/tcp list the port with local address 0100007F.
            var hex = $":{port:X4} ";
            foreach (var table in new[] { "/proc/net/udp", "/proc/net/tcp" })
            {
                var locals = File.ReadLines(table).Skip(1).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]).Where(a => a.EndsWith(hex.TrimEnd(), StringComparison.Ordinal)).ToList();
                Assert.Equal("0100007F" + hex.TrimEnd(), Assert.Single(locals.Distinct()));
            }

            await app.StopAsync(Token);
        }

        Directory.Delete(dataDir, recursive: true);
    }
}
