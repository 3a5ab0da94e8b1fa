using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Orchestrator.Lab;

/// <summary>
/// A named network namespace (<c>ip netns</c>): run programs in it, and open sockets in it from this process. A
/// socket belongs to the namespace of the thread that created it, so a short-lived thread joins the namespace
/// (setns), creates the socket and ends; the socket is then used from anywhere. Nothing else of this process moves.
/// </summary>
public sealed class NetworkNamespace(string name)
{
    public string Name { get; } = name;

    /// <summary>The namespace's bind mount, as iproute2 creates it.</summary>
    public string Path => "/var/run/netns/" + Name;

    /// <summary>Runs a program inside the namespace (<c>nsenter --net</c>: only the network namespace changes).</summary>
    public Task<CommandResult> ExecAsync(IEnumerable<string> command, TimeSpan? timeout = null) =>
        Commands.RunAsync("nsenter", [$"--net={Path}", "--", .. command], timeout);

    /// <summary>Starts a long-running program inside the namespace, output captured.</summary>
    public ManagedProcess Start(string name, string fileName, IEnumerable<string> arguments) =>
        ManagedProcess.StartProgram(name, "nsenter", [$"--net={Path}", "--", fileName, .. arguments]);

    public Socket CreateSocket(AddressFamily family, SocketType type, ProtocolType protocol)
    {
        Socket? socket = null;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle(Path);
                if (Native.SetNs((int)handle.DangerousGetHandle(), Native.CLONE_NEWNET) != 0)
                {
                    throw new IOException($"setns({Path}) failed: errno {Marshal.GetLastPInvokeError()}");
                }

                socket = new Socket(family, type, protocol);
            }
            catch (Exception e)
            {
                error = e;
            }
        })
        {
            IsBackground = true,
            Name = "netns " + Name,
        };
        thread.Start();
        thread.Join();
        return error is null ? socket! : throw new IOException($"Could not open a socket in network namespace {Name}: {error.Message}", error);
    }

    /// <summary>
    /// An HttpClient whose connections start inside this namespace, as a program on that host would make them. Use IP
    /// addresses in URLs: names would be resolved by this process, outside the namespace.
    /// </summary>
    public HttpClient CreateHttpClient(TimeSpan timeout)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = timeout,
            PooledConnectionLifetime = TimeSpan.Zero,
            ConnectCallback = async (context, cancellationToken) =>
            {
                var address = IPAddress.TryParse(context.DnsEndPoint.Host, out var parsed)
                    ? parsed
                    : (await Dns.GetHostAddressesAsync(context.DnsEndPoint.Host, cancellationToken))[0];
                var socket = CreateSocket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.NoDelay = true;
                    await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { Timeout = timeout };
    }

    public override string ToString() => Name;
}
