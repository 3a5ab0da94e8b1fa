using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Orchestrator.Lab;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>
/// The control plane as a real process under a flood of unauthenticated, huge chunked bodies on its ECS HTTP API:
/// each refused quickly, and the whole process's resident memory barely moves (nothing is buffered before the caller
/// is known).
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class HttpFloodTests
{
    private const long FortyMegabytes = 40L * 1024 * 1024;
    private const int Concurrent = 20;
    private const int ChunkSize = 64 * 1024;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact(Timeout = 120_000)]
    public async Task TwentyConcurrentUnauthenticated40MbChunkedRequests_EachRefusedWithin5s_RssGrowsUnder64MB()
    {
        TestContext.Current.CancellationToken.ThrowIfCancellationRequested();
        var dataDir = Directory.CreateTempSubdirectory("orch-e2e-flood-").FullName;
        var httpPort = FreePort();
        await using var controlPlane = ManagedProcess.Start("controlplane", Programs.ControlPlane,
            ["--data-dir", dataDir, "--grpc-port", $"{FreePort()}", "--http-port", $"{httpPort}"]);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}/"), Timeout = TimeSpan.FromSeconds(30) };
        await Eventually.Async(async () => Assert.Contains("ok", await http.GetStringAsync(new Uri("healthz", UriKind.Relative), Token), StringComparison.Ordinal),
            TimeSpan.FromSeconds(30), () => controlPlane.Output);
        // Warm up the paths a refusal takes, so the baseline is the steady state.
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await PostAsync(httpPort, 1024 * 1024)).Status);
        }

        var baseline = Rss(controlPlane.Id);
        var peak = baseline;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, Rss(controlPlane.Id));
                await Task.Delay(20, CancellationToken.None);
            }
        }, CancellationToken.None);

        var results = await Task.WhenAll(Enumerable.Range(0, Concurrent).Select(_ => PostAsync(httpPort, FortyMegabytes)));
        await sampling.CancelAsync();
        await sampler;

        var growth = peak - baseline;
        TestContext.Current.TestOutputHelper?.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RSS {baseline / 1048576.0:0.0} MiB → peak {peak / 1048576.0:0.0} MiB; slowest refusal {results.Max(r => r.Elapsed.TotalSeconds):0.00} s"));
        Assert.All(results, r => Assert.Equal(HttpStatusCode.Forbidden, r.Status));
        Assert.All(results, r => Assert.True(r.Elapsed < TimeSpan.FromSeconds(5), $"a refusal took {r.Elapsed.TotalSeconds:0.00} s"));
        Assert.True(growth < 64L * 1024 * 1024, $"RSS grew by {growth / 1048576.0:0.0} MiB ({baseline / 1048576.0:0.0} → {peak / 1048576.0:0.0} MiB)");
        Assert.False(controlPlane.HasExited);
        Directory.Delete(dataDir, recursive: true);
    }

    /// <summary>
    /// An unsigned ListClusters with a chunked body of <paramref name="length"/> bytes on a raw connection, the body
    /// written while the answer is awaited (a refusal comes, and the connection closes, long before the body ends).
    /// </summary>
    private static async Task<(HttpStatusCode Status, TimeSpan Elapsed)> PostAsync(int port, long length)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        var clock = Stopwatch.StartNew();
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-amz-json-1.1\r\n" +
            "X-Amz-Target: AmazonEC2ContainerServiceV20141113.ListClusters\r\nTransfer-Encoding: chunked\r\n\r\n"), timeout.Token);
        var body = Task.Run(async () =>
        {
            var chunk = Encoding.ASCII.GetBytes($"{ChunkSize:x}\r\n" + new string(' ', ChunkSize) + "\r\n");
            try
            {
                for (long sent = 0; sent < length; sent += ChunkSize)
                {
                    await stream.WriteAsync(chunk, timeout.Token);
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
            {
                // Refused and closed: the rest is not wanted.
            }
        }, CancellationToken.None);
        using var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
        var statusLine = await reader.ReadLineAsync(timeout.Token) ?? "HTTP/1.1 000 closed without an answer";
        var elapsed = clock.Elapsed;
        await timeout.CancelAsync();
        client.Close();
        await body;
        return ((HttpStatusCode)int.Parse(statusLine.Split(' ')[1], CultureInfo.InvariantCulture), elapsed);
    }

    /// <summary>The process's resident set, from /proc.</summary>
    private static long Rss(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
