using System.Net;
using System.Net.Sockets;

namespace Orchestrator.Agent.Ports;

/// <summary>Whether a host port is free right now: the last check before a dynamic port is handed out.</summary>
public interface IPortProbe
{
    bool IsFree(int port, string protocol);
}

/// <summary>
/// Binds 0.0.0.0:port (TCP or UDP) from the agent's process and lets go at once. It sees the agent's network
/// namespace: when Docker publishes ports in another one (a remote Docker host, or dockerd in its own namespace) the
/// answer is about the wrong host, so turn it off there (<c>Agent:PortBindCheck=false</c>) or run the agent in
/// dockerd's namespace.
/// </summary>
public sealed class SocketPortProbe : IPortProbe
{
    public bool IsFree(int port, string protocol)
    {
        var udp = protocol == "udp";
        using var socket = new Socket(AddressFamily.InterNetwork, udp ? SocketType.Dgram : SocketType.Stream, udp ? ProtocolType.Udp : ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(IPAddress.Any, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

/// <summary>No bind check: a port is free unless the agent's own bookkeeping says otherwise.</summary>
public sealed class NoPortProbe : IPortProbe
{
    public bool IsFree(int port, string protocol) => true;
}
