using System.Net;
using System.Net.Sockets;

namespace Orchestrator.ControlPlane.LoadBalancing;

/// <summary>
/// A TCP listener of the balancer: each connection goes to the next target (round robin) that accepts it within the
/// connect timeout, then bytes are copied both ways until either side closes. At most <see cref="MaxConnections"/> at
/// once; more wait in the accept backlog.
/// </summary>
public sealed partial class TcpProxy : IAsyncDisposable
{
    public const int MaxConnections = 1000;
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _slots = new(MaxConnections);
    private readonly Task _accepting;
    private readonly RequestCounter _counter;
    private readonly ILogger _logger;
    private volatile IReadOnlyList<string> _endpoints = [];
    private volatile string _targetGroup = "";
    private int _next;

    public TcpProxy(IPAddress address, int port, RequestCounter counter, ILogger logger)
    {
        _counter = counter;
        _logger = logger;
        _listener = new TcpListener(address, port);
        _listener.Start();
        _accepting = AcceptAsync(_stop.Token);
    }

    public void Update(string targetGroup, IReadOnlyList<string> endpoints)
    {
        _targetGroup = targetGroup;
        _endpoints = endpoints;
    }

    private async Task AcceptAsync(CancellationToken token)
    {
        while (!token.IsCancellationRequested)
        {
            try
            {
                await _slots.WaitAsync(token).ConfigureAwait(false);
                var client = await _listener.AcceptTcpClientAsync(token).ConfigureAwait(false);
                _ = Task.Run(() => RelayAsync(client, token), CancellationToken.None);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException e)
            {
                _slots.Release();
                Log.AcceptFailed(_logger, e.SocketErrorCode.ToString());
            }
        }
    }

    private async Task RelayAsync(TcpClient client, CancellationToken token)
    {
        try
        {
            using (client)
            using (var upstream = await ConnectAsync(token).ConfigureAwait(false))
            {
                if (upstream is null)
                {
                    return;
                }

                _counter.Count(_targetGroup);
                var a = client.GetStream();
                var b = upstream.GetStream();
                using var both = CancellationTokenSource.CreateLinkedTokenSource(token);
                var up = CopyAsync(a, b, upstream.Client, both.Token);
                var down = CopyAsync(b, a, client.Client, both.Token);
                await Task.WhenAll(up, down).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // A side went away: the connection ends.
        }
        finally
        {
            _slots.Release();
        }
    }

    private static async Task CopyAsync(Stream from, Stream to, Socket toSocket, CancellationToken token)
    {
        try
        {
            await from.CopyToAsync(to, token).ConfigureAwait(false);
            toSocket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            toSocket.Close();
        }
    }

    private async Task<TcpClient?> ConnectAsync(CancellationToken token)
    {
        var endpoints = _endpoints;
        for (var i = 0; i < endpoints.Count; i++)
        {
            var endpoint = endpoints[(int)((uint)Interlocked.Increment(ref _next) % (uint)endpoints.Count)];
            var colon = endpoint.LastIndexOf(':');
            var upstream = new TcpClient();
            try
            {
                using var deadline = CancellationTokenSource.CreateLinkedTokenSource(token);
                deadline.CancelAfter(ConnectTimeout);
                await upstream.ConnectAsync(endpoint[..colon], int.Parse(endpoint[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture), deadline.Token)
                    .ConfigureAwait(false);
                return upstream;
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException && !token.IsCancellationRequested)
            {
                upstream.Dispose();
            }
        }

        return null;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        await _accepting.ConfigureAwait(false);
        _stop.Dispose();
    }
}
