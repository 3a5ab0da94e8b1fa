using System.Globalization;
using System.Text.RegularExpressions;
using Orchestrator.Contracts.Agent;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Validation;

namespace Orchestrator.ControlPlane.Agents;

/// <summary>
/// What a <see cref="RegisterRequest"/> may hold: ECS's rules where ECS has them, sane bounds where it does not. Pure: a
/// request either passes or is refused with an <see cref="EcsException"/> naming the field (as protos/agent.proto
/// spells it), before anything is stored. Values that fail are never echoed back: they may be huge or hold control
/// characters.
/// </summary>
public static partial class RegistrationLimits
{
    /// <summary>CPU units: 8,192 cores × 1,024 (Linux's largest NR_CPUS), far above any host today.</summary>
    public const int MaxCpu = 8_192 * 1_024;

    /// <summary>MiB: 64 TiB, above the largest hosts today (24 TiB).</summary>
    public const int MaxMemoryMib = 64 * 1_024 * 1_024;

    /// <summary>Reserved ports per protocol: ECS registers at most 100.</summary>
    public const int MaxReservedPorts = 100;

    /// <summary>GPUs per host (the largest servers have 16), and the length of an ID (an NVIDIA UUID is 40).</summary>
    public const int MaxGpus = 64;

    public const int MaxGpuIdLength = 128;

    /// <summary>The agent's limit for awsvpc tasks (<c>--awsvpc-task-limit</c>).</summary>
    public const int MaxAwsvpcTaskLimit = 1_024;

    /// <summary>
    /// Attributes in all: the agent's own (<c>ecs.*</c>, <c>com.amazonaws.ecs.*</c>: OS, architecture, one per Docker API
    /// version since 1.17, capabilities) stay far below this.
    /// </summary>
    public const int MaxAttributes = 100;

    /// <summary>Custom attributes (outside ECS's namespaces): ECS allows 10 per container instance.</summary>
    public const int MaxCustomAttributes = 10;

    /// <summary>Hostnames (RFC 1035 names are at most 253 characters), instance IDs and version strings.</summary>
    public const int MaxTextLength = 255;

    /// <summary>Cluster names or ARNs, and container instance ARNs.</summary>
    public const int MaxArnLength = 2_048;

    /// <summary>Refuses a registration that breaks any of the limits above; returns normally when it keeps them.</summary>
    public static void Check(RegisterRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Text("cluster", request.Cluster, MaxArnLength);
        Text("container_instance_arn", request.ContainerInstanceArn, MaxArnLength);
        Text("instance_id", request.InstanceId, MaxTextLength);
        Text("hostname", request.Hostname, MaxTextLength);
        if (request.VersionInfo is { } version)
        {
            Text("version_info.agent_version", version.AgentVersion, MaxTextLength);
            Text("version_info.agent_hash", version.AgentHash, MaxTextLength);
            Text("version_info.docker_version", version.DockerVersion, MaxTextLength);
        }

        CheckResources(request.Resources ?? throw EcsException.InvalidParameter("resources are required."));
        CheckAttributes(request.Attributes);
    }

    private static void CheckResources(HostResources resources)
    {
        if (resources.Cpu is <= 0 or > MaxCpu)
        {
            throw Invalid($"resources.cpu must be between 1 and {MaxCpu} CPU units (1,024 per core), not {resources.Cpu}.");
        }

        if (resources.MemoryMib is <= 0 or > MaxMemoryMib)
        {
            throw Invalid($"resources.memory_mib must be between 1 and {MaxMemoryMib} MiB, not {resources.MemoryMib}.");
        }

        Ports("resources.reserved_tcp_ports", resources.ReservedTcpPorts);
        Ports("resources.reserved_udp_ports", resources.ReservedUdpPorts);
        if (resources.DynamicPortFirst != 0 && resources.DynamicPortFirst is < 1 or > 65535
            || resources.DynamicPortFirst > 0 && resources.DynamicPortLast is var last && (last < resources.DynamicPortFirst || last > 65535))
        {
            throw Invalid($"The dynamic port range {resources.DynamicPortFirst}-{resources.DynamicPortLast} is not a range of ports within 1-65535.");
        }

        if (resources.AwsvpcTaskLimit is < 0 or > MaxAwsvpcTaskLimit)
        {
            throw Invalid($"resources.awsvpc_task_limit must be between 0 and {MaxAwsvpcTaskLimit}, not {resources.AwsvpcTaskLimit}.");
        }

        if (resources.GpuIds.Count > MaxGpus)
        {
            throw Invalid($"resources.gpu_ids holds {resources.GpuIds.Count} IDs; at most {MaxGpus}.");
        }

        for (var i = 0; i < resources.GpuIds.Count; i++)
        {
            Text($"resources.gpu_ids[{i}]", resources.GpuIds[i], MaxGpuIdLength);
        }
    }

    private static void CheckAttributes(IReadOnlyList<Contracts.Agent.Attribute> attributes)
    {
        if (attributes.Count > MaxAttributes)
        {
            throw Invalid($"attributes holds {attributes.Count} attributes; at most {MaxAttributes}.");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < attributes.Count; i++)
        {
            var attribute = attributes[i];
            if (!AttributeRules.IsValidName(attribute.Name))
            {
                throw Invalid($"attributes[{i}].name must be 1 to 128 letters, numbers, hyphens, underscores, slashes, back slashes or periods.");
            }

            if (attribute.HasValue && !AttributeRules.IsValidValue(attribute.Value))
            {
                throw Invalid($"attributes[{i}].value (of {attribute.Name}) must be 1 to 128 letters, numbers, hyphens, underscores, periods, at signs, slashes, back slashes, colons or spaces, not starting or ending with a space.");
            }

            if (!names.Add(attribute.Name))
            {
                throw Invalid($"attributes[{i}].name: {attribute.Name} is given more than once.");
            }
        }

        var custom = names.Count(n => !n.StartsWith("ecs.", StringComparison.Ordinal) && !n.StartsWith("com.amazonaws.ecs.", StringComparison.Ordinal));
        if (custom > MaxCustomAttributes)
        {
            throw Invalid($"attributes holds {custom} custom attributes (outside ecs.* and com.amazonaws.ecs.*); ECS allows at most {MaxCustomAttributes}.");
        }
    }

    private static void Ports(string field, IReadOnlyList<int> ports)
    {
        if (ports.Count > MaxReservedPorts)
        {
            throw Invalid($"{field} holds {ports.Count} ports; at most {MaxReservedPorts}.");
        }

        foreach (var port in ports)
        {
            if (port is < 1 or > 65535)
            {
                throw Invalid($"{field}: {port} is not a port (1-65535).");
            }
        }
    }

    private static void Text(string field, string value, int maxLength)
    {
        if (value.Length > maxLength)
        {
            throw Invalid($"{field} is {value.Length} characters long; at most {maxLength}.");
        }

        if (value.Any(char.IsControl))
        {
            throw Invalid($"{field} must not hold control characters.");
        }
    }

    private static EcsException Invalid(FormattableString message) => EcsException.InvalidParameter(message.ToString(CultureInfo.InvariantCulture));

    // ECS's attribute rules (as PutAttributes applies them), anchored with \z: $ would let a final newline through.

}
