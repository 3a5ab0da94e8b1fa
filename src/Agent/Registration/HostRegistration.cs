using System.Globalization;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Docker;
using Orchestrator.Agent.Ports;
using Orchestrator.Contracts.Agent;

namespace Orchestrator.Agent.Registration;

/// <summary>
/// What the host offers and is, computed the way the ECS agent does from Docker's info and the agent's options. Pure.
/// </summary>
public static class HostRegistration
{
    public const string OsTypeAttribute = "ecs.os-type";
    public const string OsFamilyAttribute = "ecs.os-family";
    public const string CpuArchitectureAttribute = "ecs.cpu-architecture";
    public const string DockerRemoteApiPrefix = "com.amazonaws.ecs.capability.docker-remote-api.";
    public const string HealthCheckCapability = "ecs.capability.container-health-check";
    /// <summary>The ECS agent's capability for awsvpc tasks (each task its own network interface).</summary>
    public const string TaskEniCapability = "ecs.capability.task-eni";

    /// <summary>The oldest Docker API version ECS capabilities are listed from (as the ECS agent does).</summary>
    private const int OldestListedApiMinor = 17;

    /// <param name="gpuIds">The host's GPUs (see <see cref="HostGpus"/>), offered as the instance's GPU resource.</param>
    public static HostResources Resources(DockerHostInfo info, AgentOptions options, DynamicPortRange? dynamicPorts = null, IReadOnlyList<string>? gpuIds = null)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(options);
        var memoryMiB = (info.MemoryBytes / (1024L * 1024L)) - options.ReservedMemoryMiB;
        dynamicPorts ??= DynamicPortRange.Fallback;
        var resources = new HostResources
        {
            Cpu = checked(info.Cpus * 1024),
            MemoryMib = (int)Math.Clamp(memoryMiB, 0, int.MaxValue),
            DynamicPortFirst = dynamicPorts.First,
            DynamicPortLast = dynamicPorts.Last,
            // awsvpc tasks run on Linux hosts (a pause container on a macvlan network).
            AwsvpcTaskLimit = options.AwsvpcEnabled && !DockerOs.IsWindows(info.OsType) ? options.AwsvpcTaskLimit : 0,
        };
        resources.ReservedTcpPorts.AddRange(ReservedPorts.Tcp(info.OsType, options.ExtraReservedTcpPorts));
        resources.ReservedUdpPorts.AddRange(ReservedPorts.Udp(options.ExtraReservedUdpPorts));
        resources.GpuIds.AddRange(gpuIds ?? []);
        return resources;
    }

    public static IReadOnlyList<Contracts.Agent.Attribute> Attributes(DockerHostInfo info, AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(options);
        var osType = string.Equals(info.OsType, "windows", StringComparison.OrdinalIgnoreCase) ? "windows" : "linux";
        var attributes = new List<Contracts.Agent.Attribute>
        {
            Valued(OsTypeAttribute, osType),
            Valued(CpuArchitectureAttribute, NormalizeArchitecture(info.Architecture)),
        };
        if (osType == "linux")
        {
            attributes.Add(Valued(OsFamilyAttribute, "LINUX"));
        }

        foreach (var version in DockerApiVersions(info.ApiVersion))
        {
            attributes.Add(new Contracts.Agent.Attribute { Name = DockerRemoteApiPrefix + version });
        }

        attributes.Add(new Contracts.Agent.Attribute { Name = HealthCheckCapability });
        if (options.AwsvpcEnabled && osType == "linux")
        {
            attributes.Add(new Contracts.Agent.Attribute { Name = TaskEniCapability });
        }

        foreach (var (name, value) in options.CustomAttributes)
        {
            attributes.RemoveAll(a => a.Name == name);
            attributes.Add(value is null ? new Contracts.Agent.Attribute { Name = name } : Valued(name, value));
        }

        return attributes;
    }

    public static RegisterRequest Request(
        DockerHostInfo info, AgentOptions options, string? containerInstanceArn, string hostId, string hostname, DynamicPortRange? dynamicPorts = null,
        IReadOnlyList<string>? gpuIds = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (agentVersion, agentHash) = HostIdentity.AgentVersion();
        var request = new RegisterRequest
        {
            Cluster = options.Cluster,
            ContainerInstanceArn = containerInstanceArn ?? "",
            Resources = Resources(info, options, dynamicPorts, gpuIds),
            VersionInfo = new VersionInfo { AgentVersion = agentVersion, AgentHash = agentHash, DockerVersion = info.ServerVersion },
            InstanceId = hostId,
            Hostname = hostname,
        };
        request.Attributes.AddRange(Attributes(info, options));
        return request;
    }

    /// <summary>amd64/x86_64 → x86_64, aarch64/arm64 → arm64; anything else lowercased as it is.</summary>
    public static string NormalizeArchitecture(string architecture) => (architecture ?? "").ToLowerInvariant() switch
    {
        "amd64" or "x86_64" or "x86-64" => "x86_64",
        "aarch64" or "arm64" => "arm64",
        var other => other,
    };

    /// <summary>Every Docker API version from 1.17 up to the engine's (<c>1.41</c> → 1.17 … 1.41).</summary>
    public static IReadOnlyList<string> DockerApiVersions(string? apiVersion)
    {
        if (string.IsNullOrEmpty(apiVersion))
        {
            return [];
        }

        var parts = apiVersion.Split('.');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var major)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var minor))
        {
            return [apiVersion];
        }

        if (major != 1 || minor < OldestListedApiMinor)
        {
            return [apiVersion];
        }

        return [.. Enumerable.Range(OldestListedApiMinor, minor - OldestListedApiMinor + 1).Select(m => string.Create(CultureInfo.InvariantCulture, $"1.{m}"))];
    }

    private static Contracts.Agent.Attribute Valued(string name, string value) => new() { Name = name, Value = value };
}
