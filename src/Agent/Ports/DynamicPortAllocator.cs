using System.Globalization;

namespace Orchestrator.Agent.Ports;

/// <summary>A port mapping that needs a host port: container port and protocol.</summary>
public sealed record PortRequest(int ContainerPort, string Protocol);

/// <summary>The outcome: a host port per request, the new round-robin cursor, or which request found no port.</summary>
public sealed record PortAllocation(IReadOnlyList<int> HostPorts, int Cursor, PortRequest? Unsatisfied)
{
    public bool Succeeded => Unsatisfied is null;
}

/// <summary>
/// Picks dynamic host ports the way the ECS agent does since 1.70: from a range, skipping reserved ports, ports the
/// agent's tasks hold (dynamic and static), and ports a test bind shows busy; round-robin from the last port given, so
/// a port just freed is not handed out again at once. Pure but for the probe, which is passed in.
/// </summary>
public static class DynamicPortAllocator
{
    /// <param name="requests">The mappings to give a host port, in order.</param>
    /// <param name="range">Where to pick from.</param>
    /// <param name="cursor">The last port handed out (any value outside the range starts at its first port).</param>
    /// <param name="unavailable">Ports reserved or held, by protocol (<c>tcp</c>/<c>udp</c>).</param>
    /// <param name="isFree">The test bind.</param>
    public static PortAllocation Allocate(
        IReadOnlyList<PortRequest> requests,
        DynamicPortRange range,
        int cursor,
        IReadOnlySet<(int Port, string Protocol)> unavailable,
        Func<int, string, bool> isFree)
    {
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentNullException.ThrowIfNull(range);
        ArgumentNullException.ThrowIfNull(unavailable);
        ArgumentNullException.ThrowIfNull(isFree);
        var taken = new HashSet<(int, string)>(unavailable);
        var ports = new List<int>();
        var position = range.Contains(cursor) ? cursor : range.Last;
        foreach (var request in requests)
        {
            int? found = null;
            for (var tried = 0; tried < range.Count && found is null; tried++)
            {
                position = position >= range.Last ? range.First : position + 1;
                if (!taken.Contains((position, request.Protocol)) && isFree(position, request.Protocol))
                {
                    found = position;
                }
            }

            if (found is not { } port)
            {
                return new PortAllocation([], cursor, request);
            }

            taken.Add((port, request.Protocol));
            ports.Add(port);
        }

        return new PortAllocation(ports, ports.Count > 0 ? ports[^1] : cursor, null);
    }

    /// <summary>The stopped reason when the range is exhausted, as the task shows it.</summary>
    public static string ExhaustedReason(DynamicPortRange range, string containerName) =>
        string.Create(CultureInfo.InvariantCulture, $"ResourceInitializationError: no free host port in {range} for container {containerName}");
}
