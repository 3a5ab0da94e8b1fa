using System.Net;
using Orchestrator.Agent.State;

namespace Orchestrator.Agent.Awsvpc;

/// <summary>
/// How the agent runs an awsvpc task, as the ECS agent does: an internal pause container holds the task's network
/// namespace, with the task's address on the host's awsvpc network (macvlan on the configured interface), and the
/// task's containers join it (<c>container:&lt;pause&gt;</c>). The pause container is one more container of the task,
/// first in its order: every other one depends on it running, so they are
/// created only once its network is there — a task whose network fails creates nothing else — and stopped before
/// it. Pure.
/// </summary>
public static class AwsvpcTask
{
    /// <summary>The pause container's name in the task, the ECS agent's.</summary>
    public const string PauseContainer = "~internal~ecs~pause";

    /// <summary>The Docker network awsvpc tasks' pause containers are attached to, unless configured otherwise.</summary>
    public const string DefaultNetworkName = "orch-awsvpc";

    /// <summary>How long the pause container gets to exit on SIGTERM (it exits at once).</summary>
    public static readonly TimeSpan PauseStopTimeout = TimeSpan.FromSeconds(2);

    public static bool IsPause(string containerName) => containerName == PauseContainer;

    /// <summary>The task's subnet in CIDR notation (its address with the host bits cleared), e.g. <c>10.0.1.0/24</c>.</summary>
    public static string SubnetCidr(TaskNetworkRecord network)
    {
        ArgumentNullException.ThrowIfNull(network);
        var bytes = IPAddress.Parse(network.Ipv4Address).GetAddressBytes();
        var address = ((uint)bytes[0] << 24) | ((uint)bytes[1] << 16) | ((uint)bytes[2] << 8) | bytes[3];
        var mask = network.PrefixLength == 0 ? 0 : uint.MaxValue << (32 - network.PrefixLength);
        var subnet = address & mask;
        return $"{subnet >> 24}.{(subnet >> 16) & 255}.{(subnet >> 8) & 255}.{subnet & 255}/{network.PrefixLength}";
    }
}
