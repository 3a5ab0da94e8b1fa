using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Orchestrator.ControlPlane.Tests.Http;

[CollectionDefinition(nameof(EcsHttpBodyLimitTests), DisableParallelization = true)]
public sealed class EcsHttpBodyLimitCollection;

/// <summary>
/// Bodies against the real Kestrel on loopback: nothing is read before authentication, nothing beyond the limit after
/// it, and a broken body is the client's error. Alone in its collection so that memory is measured with no other test
/// running.
/// </summary>
[Collection(nameof(EcsHttpBodyLimitTests))]
public sealed class EcsHttpBodyLimitTests : IAsyncLifetime
{
    private const long FortyMegabytes = 40L * 1024 * 1024;
    private EcsHttpTestHost? _host;
    private Uri? _endpoint;

    public async ValueTask InitializeAsync()
    {
        var port = FreePort();
        _host = await EcsHttpTestHost.StartAsync(TestContext.Current.CancellationToken, kestrelPort: port);
        _endpoint = new Uri($"http://127.0.0.1:{port}/");
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    [Fact]
    public async Task UnauthenticatedHugeChunkedBodies_AreRefusedAtOnceWithoutBeingBuffered()
    {
        Assert.Equal(403, (await PostAsync(Head(signed: false), Chunks(1024))).Status);
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(async _ =>
        {
            var clock = Stopwatch.StartNew();
            var (status, body) = await PostAsync(Head(signed: false), Chunks(FortyMegabytes));
            return (Status: status, Body: body, clock.Elapsed);
        }));

        var grown = GC.GetTotalMemory(forceFullCollection: true) - before;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        Assert.All(answers, a =>
        {
            Assert.Equal(403, a.Status);
            Assert.Equal("MissingAuthenticationTokenException", JsonDocument.Parse(a.Body).RootElement.GetProperty("__type").GetString());
            Assert.True(a.Elapsed < TimeSpan.FromSeconds(5), $"answered after {a.Elapsed}");
        });
        // Buffering the bodies would take 800 MB. What is not buffering: Kestrel lets up to 1 MiB wait unread per
        // connection and keeps the blocks pooled afterwards: 5–37 MiB over 16 runs here (beside CPU burners, three
        // copies at once, inside the whole program), and more when its reads lag the senders further (CI saw the
        // earlier 64 MiB bound fail). Buffering a fifth of the bodies still fails.
        const long Bound = 160L * 1024 * 1024;
        Assert.True(grown < Bound, $"managed memory grew by {grown / (1024 * 1024)} MiB");
        Assert.True(allocated < Bound, $"{allocated / (1024 * 1024)} MiB allocated for 20 × 40 MB bodies");
    }

    [Fact]
    public async Task SignedChunkedBodyOverTheLimit_IsRefusedWith413()
    {
        var (status, body) = await PostAsync(Head(signed: true), Chunks(FortyMegabytes));

        Assert.Equal(413, status);
        Assert.Equal("ClientException", JsonDocument.Parse(body).RootElement.GetProperty("__type").GetString());
    }

    [Theory]
    [InlineData("zz\r\n{}\r\n0\r\n\r\n")]
    [InlineData("2\r\n{}\r\nxyz\r\n")]
    [InlineData("fffffffffffffffff\r\n")]
    [InlineData("2\r\n{}\r\n")] // and then nothing: too slow
    public async Task BrokenOrSlowChunkedBody_IsA4xxNotA500(string chunked)
    {
        var (status, _) = await PostAsync(Head(signed: true), async (stream, cancellationToken) =>
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(chunked), cancellationToken);
            await Task.Delay(TimeSpan.FromSeconds(20), cancellationToken);
        });

        Assert.InRange(status, 400, 499);
    }

    private static string Head(bool signed)
    {
        var head = new StringBuilder("POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-amz-json-1.1\r\nTransfer-Encoding: chunked\r\n");
        using var request = EcsHttpEndpointTests.Signed("ListClusters", "{}", signed ? EcsHttpEndpointTests.KeyId : null, EcsHttpEndpointTests.Secret, DateTimeOffset.UtcNow);
        foreach (var header in request.Headers)
        {
            head.Append(header.Key).Append(": ").Append(string.Join(",", header.Value)).Append("\r\n");
        }

        return head.Append("\r\n").ToString();
    }

    /// <summary>A chunked body of <paramref name="length"/> bytes, written a 64 KiB chunk at a time from one buffer.</summary>
    private static Func<Stream, CancellationToken, Task> Chunks(long length) => async (stream, cancellationToken) =>
    {
        var chunk = new byte[64 * 1024];
        Array.Fill(chunk, (byte)' ');
        var size = Encoding.ASCII.GetBytes($"{chunk.Length:x}\r\n");
        var crlf = "\r\n"u8.ToArray();
        for (long sent = 0; sent < length; sent += chunk.Length)
        {
            await stream.WriteAsync(size, cancellationToken);
            await stream.WriteAsync(chunk, cancellationToken);
            await stream.WriteAsync(crlf, cancellationToken);
        }

        await stream.WriteAsync("0\r\n\r\n"u8.ToArray(), cancellationToken);
    };

    /// <summary>
    /// Sends a request on a raw connection, the body written alongside (a server may answer, and close, before it
    /// has it all, as it should for a refused request), and returns the status and body of the answer.
    /// </summary>
    private async Task<(int Status, string Body)> PostAsync(string head, Func<Stream, CancellationToken, Task> body)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        using var socket = new TcpClient();
        await socket.ConnectAsync(IPAddress.Loopback, _endpoint!.Port, timeout.Token);
        var stream = socket.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), timeout.Token);
        var sending = Task.Run(async () =>
        {
            try
            {
                await body(stream, timeout.Token);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
            {
                // The server answered and closed the connection: the rest of the body is not wanted.
            }
        }, CancellationToken.None);

        using var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
        var status = await reader.ReadLineAsync(timeout.Token) ?? throw new IOException("The connection closed without an answer.");
        var length = 0;
        while (await reader.ReadLineAsync(timeout.Token) is { Length: > 0 } line)
        {
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            {
                length = int.Parse(line["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        var content = new char[length];
        await reader.ReadBlockAsync(content, timeout.Token);
        await timeout.CancelAsync();
        socket.Close();
        await sending;
        return (int.Parse(status.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture), new string(content));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
