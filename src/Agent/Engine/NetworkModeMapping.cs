using Orchestrator.Agent.Docker;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Agent.Engine;

/// <summary>How a task's containers are attached: Docker's network mode, and whether port mappings are published.</summary>
public sealed record DockerNetworking(string Mode, bool PublishesPorts)
{
    public static readonly DockerNetworking Bridge = new("bridge", true);
}

/// <summary>
/// An ECS networkMode as Docker's network mode on the host's OS, the way the ECS agent does it. Pure.
/// <list type="bullet">
/// <item>Linux: <c>bridge</c> → Docker's bridge, ports published; <c>host</c> → the host's stack, host port =
/// container port, nothing published; <c>none</c> → loopback only; <c>awsvpc</c> → the network namespace of the task's
/// pause container, which has the task's own address (see <c>AwsvpcTask</c>).</item>
/// <item>Windows: the default (<c>bridge</c>) → Docker's <c>nat</c> network, ports published; <c>awsvpc</c> → the
/// <c>l2bridge</c> network the task's ENI is attached through; <c>host</c> and <c>none</c> do not exist for Windows
/// containers.</item>
/// </list>
/// </summary>
public static class NetworkModeMapping
{
    public const string WindowsNat = "nat";
    public const string WindowsAwsvpcNetwork = "l2bridge";

    /// <summary>
    /// Linux awsvpc: the task's containers join its pause container's network namespace; the engine makes this
    /// <c>container:&lt;pause container ID&gt;</c> once the pause container exists.
    /// </summary>
    public const string LinuxAwsvpc = "container";

    /// <summary>The Docker networking for <paramref name="ecsMode"/>, or why this host cannot give it.</summary>
    public static (DockerNetworking? Networking, string? Problem) Map(string ecsMode, string osType)
    {
        ArgumentNullException.ThrowIfNull(ecsMode);
        return DockerOs.IsWindows(osType) ? Windows(ecsMode) : Linux(ecsMode);
    }

    private static (DockerNetworking?, string?) Linux(string mode) => mode switch
    {
        NetworkModes.Bridge => (DockerNetworking.Bridge, null),
        NetworkModes.Host => (new DockerNetworking("host", false), null),
        NetworkModes.None => (new DockerNetworking("none", false), null),
        NetworkModes.Awsvpc => (new DockerNetworking(LinuxAwsvpc, false), null),
        _ => (null, $"ResourceInitializationError: networkMode {mode} is not supported; use bridge, host, none or awsvpc."),
    };

    private static (DockerNetworking?, string?) Windows(string mode) => mode switch
    {
        NetworkModes.Bridge => (new DockerNetworking(WindowsNat, true), null),
        NetworkModes.Awsvpc => (new DockerNetworking(WindowsAwsvpcNetwork, false), null),
        NetworkModes.Host or NetworkModes.None =>
            (null, $"ResourceInitializationError: networkMode {mode} is not supported on Windows container instances; use the default (bridge, Docker's nat network) or awsvpc."),
        _ => (null, $"ResourceInitializationError: networkMode {mode} is not supported; use the default (bridge) or awsvpc."),
    };
}
