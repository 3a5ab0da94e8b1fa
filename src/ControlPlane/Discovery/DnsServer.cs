using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Orchestrator.ControlPlane.State;

namespace Orchestrator.ControlPlane.Discovery;

/// <summary>
/// The control plane's DNS server for <c>*.orch.local</c> (<see cref="DnsResponder"/>), over UDP and TCP on
/// <c>--dns-address</c>:<c>--dns-port</c> (off unless a port is given; the address defaults to 127.0.0.1). It never
/// sends anything but answers to whoever asked: no recursion, no forwarding. A malformed packet gets FORMERR or
/// nothing; a TCP connection gets one bounded read per query and 10 seconds of idleness; at most 64 TCP connections.
/// </summary>
public sealed partial class DnsServer(StateStore store, IOptions<ControlPlaneOptions> options, ILogger<DnsServer> logger) : BackgroundService
{
    private const int MaxTcpConnections = 64;
    private static readonly TimeSpan TcpIdle = TimeSpan.FromSeconds(10);

    private readonly DnsResponder _responder = new(() => store.Current);
    private readonly SemaphoreSlim _tcpSlots = new(MaxTcpConnections);

    /// <summary>The UDP and TCP port actually bound (the asked port, or the one the OS chose for port 0 in tests).</summary>
    public int BoundPort { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (settings.DnsPort is not { } port)
        {
            return;
        }

        var address = IPAddress.Parse(settings.DnsAddress);
        using var udp = new UdpClient(new IPEndPoint(address, port));
        var tcp = new TcpListener(address, ((IPEndPoint)udp.Client.LocalEndPoint!).Port);
        tcp.Start();
        BoundPort = ((IPEndPoint)udp.Client.LocalEndPoint!).Port;
        Log.Listening(logger, address.ToString(), BoundPort);
        try
        {
            await Task.WhenAll(ServeUdpAsync(udp, stoppingToken), ServeTcpAsync(tcp, stoppingToken)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            tcp.Stop();
        }
    }

    private async Task ServeUdpAsync(UdpClient udp, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            UdpReceiveResult received;
            try
            {
                received = await udp.ReceiveAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException)
            {
                continue; // e.g. ICMP port unreachable from an earlier answer's peer
            }

            var answer = Answer(received.Buffer, DnsResponder.UdpLimit);
            if (answer is not null)
            {
                try
                {
                    await udp.SendAsync(answer, received.RemoteEndPoint, cancellationToken).ConfigureAwait(false);
                }
                catch (SocketException)
                {
                }
            }
        }
    }

    private async Task ServeTcpAsync(TcpListener tcp, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var client = await tcp.AcceptTcpClientAsync(cancellationToken).ConfigureAwait(false);
            if (!_tcpSlots.Wait(0))
            {
                client.Dispose();
                continue;
            }

            _ = ServeConnectionAsync(client, cancellationToken);
        }
    }

    private async Task ServeConnectionAsync(TcpClient client, CancellationToken cancellationToken)
    {
        try
        {
            using (client)
            {
                var stream = client.GetStream();
                var length = new byte[2];
                for (var queries = 0; queries < 100; queries++)
                {
                    using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    idle.CancelAfter(TcpIdle);
                    await stream.ReadExactlyAsync(length, idle.Token).ConfigureAwait(false);
                    var size = BinaryPrimitives.ReadUInt16BigEndian(length);
                    var packet = new byte[size];
                    await stream.ReadExactlyAsync(packet, idle.Token).ConfigureAwait(false);
                    var answer = Answer(packet, DnsResponder.TcpLimit - 2);
                    if (answer is null)
                    {
                        return;
                    }

                    var framed = new byte[answer.Length + 2];
                    BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)answer.Length);
                    answer.CopyTo(framed, 2);
                    await stream.WriteAsync(framed, idle.Token).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or EndOfStreamException)
        {
        }
        finally
        {
            _tcpSlots.Release();
        }
    }

    private byte[]? Answer(byte[] packet, int limit)
    {
        try
        {
            return _responder.Answer(packet, limit);
        }
#pragma warning disable CA1031 // one bad packet must never stop the server
        catch (Exception e)
#pragma warning restore CA1031
        {
            Log.AnswerFailed(logger, e.GetType().Name);
            return null;
        }
    }

    public override void Dispose()
    {
        _tcpSlots.Dispose();
        base.Dispose();
    }
}
