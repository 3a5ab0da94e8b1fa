using System.Globalization;
using System.Net;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Ecs.Validation;

/// <summary>A container's Docker settings: health check, ulimits, Linux parameters, logging, GPUs, DNS and hosts.</summary>
public static partial class TaskDefinitionValidator
{
    private static void ValidateSettings(ContainerDefinition container, string mode)
    {
        var name = container.Name!;
        if (mode == NetworkModes.Awsvpc)
        {
            NotInAwsvpc(container.Hostname is not null, "Hostname is");
            NotInAwsvpc(container.DnsServers is { Count: > 0 }, "DNS servers are");
            NotInAwsvpc(container.ExtraHosts is { Count: > 0 }, "Extra hosts are");
        }

        if (container.StartTimeout is < 0)
        {
            throw EcsException.Client($"Invalid 'startTimeout' setting for container '{name}'. It must not be negative.");
        }

        foreach (var server in container.DnsServers ?? [])
        {
            if (!IPAddress.TryParse(server, out _))
            {
                throw EcsException.Client($"Invalid dnsServers entry '{server}' for container '{name}'. It must be an IP address.");
            }
        }

        foreach (var entry in container.ExtraHosts ?? [])
        {
            if (string.IsNullOrEmpty(entry.Hostname) || string.IsNullOrEmpty(entry.IpAddress))
            {
                throw EcsException.Client($"Invalid extraHosts entry for container '{name}'. Each entry needs a hostname and an ipAddress.");
            }

            if (!IPAddress.TryParse(entry.IpAddress, out _))
            {
                throw EcsException.Client($"Invalid extraHosts entry '{entry.Hostname}' for container '{name}'. '{entry.IpAddress}' is not an IP address.");
            }
        }

        if (container.DockerLabels?.Keys.Any(string.IsNullOrEmpty) == true)
        {
            throw EcsException.Client($"Invalid dockerLabels for container '{name}'. Label keys must not be empty.");
        }

        if (container.HealthCheck is { } healthCheck)
        {
            ValidateHealthCheck(name, healthCheck);
        }

        ValidateUlimits(name, container.Ulimits ?? []);
        if (container.LinuxParameters is { } linux)
        {
            ValidateLinuxParameters(name, linux);
        }

        if (container.LogConfiguration is { } log)
        {
            if (log.LogDriver is not { } driver || !LogDrivers.All.Contains(driver))
            {
                throw EcsException.Client($"Invalid logDriver '{log.LogDriver}' for container '{name}'. Valid values: {string.Join(", ", LogDrivers.All)}.");
            }

            if (driver == LogDrivers.AwsFirelens)
            {
                throw EcsException.Client("logDriver awsfirelens is not supported by this control plane yet (it needs firelensConfiguration).");
            }
        }

        ValidateResourceRequirements(name, container.ResourceRequirements ?? []);
    }

    /// <summary>As ECS words it for links: <c>Links are not supported when networkMode=awsvpc</c>.</summary>
    private static void NotInAwsvpc(bool present, string subject)
    {
        if (present)
        {
            throw EcsException.Client($"{subject} not supported when networkMode=awsvpc");
        }
    }

    private static void ValidateHealthCheck(string name, HealthCheck check)
    {
        var prefix = $"Invalid healthCheck for container '{name}'.";
        if (check.Command is not { Count: > 0 } command || command.Any(string.IsNullOrEmpty))
        {
            throw EcsException.Client($"{prefix} command must be given, starting with CMD or CMD-SHELL.");
        }

        if (command[0] is not ("CMD" or "CMD-SHELL"))
        {
            throw EcsException.Client($"{prefix} command must start with CMD or CMD-SHELL, not '{command[0]}'.");
        }

        if (command.Count < 2)
        {
            throw EcsException.Client($"{prefix} command needs something to run after {command[0]}.");
        }

        InRange(prefix, "interval", check.Interval, 5, 300, "seconds");
        InRange(prefix, "timeout", check.Timeout, 2, 60, "seconds");
        InRange(prefix, "retries", check.Retries, 1, 10, "");
        InRange(prefix, "startPeriod", check.StartPeriod, 0, 300, "seconds");
    }

    private static void InRange(string prefix, string field, int? value, int min, int max, string unit)
    {
        if (value is { } v && (v < min || v > max))
        {
            var range = string.Create(CultureInfo.InvariantCulture, $"{min} and {max}");
            throw EcsException.Client($"{prefix} {field} must be between {range}{(unit.Length > 0 ? " " + unit : "")}.");
        }
    }

    private static void ValidateUlimits(string name, IReadOnlyList<Ulimit> ulimits)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var ulimit in ulimits)
        {
            if (ulimit.Name is not { } limit || !UlimitNames.All.Contains(limit))
            {
                throw EcsException.Client($"Invalid ulimit name '{ulimit.Name}' for container '{name}'. Valid values: {string.Join(", ", UlimitNames.All)}.");
            }

            if (ulimit.SoftLimit is not { } soft || ulimit.HardLimit is not { } hard)
            {
                throw EcsException.Client($"Invalid ulimit '{limit}' for container '{name}'. softLimit and hardLimit must be set.");
            }

            if (soft > hard)
            {
                throw EcsException.Client($"Invalid ulimit '{limit}' for container '{name}'. softLimit must not exceed hardLimit.");
            }

            if (!seen.Add(limit))
            {
                throw EcsException.Client($"Invalid ulimit '{limit}' for container '{name}'. It is set more than once.");
            }
        }
    }

    private static void ValidateLinuxParameters(string name, LinuxParameters linux)
    {
        foreach (var capability in (linux.Capabilities?.Add ?? []).Concat(linux.Capabilities?.Drop ?? []))
        {
            if (capability is null || !KernelCapabilityNames.All.Contains(capability))
            {
                throw EcsException.Client(
                    $"Invalid capability '{capability}' for container '{name}'. Use a Linux capability name without CAP_ (e.g. NET_ADMIN, SYS_PTRACE) or ALL.");
            }
        }

        if (linux.SharedMemorySize is <= 0)
        {
            throw EcsException.Client($"Invalid linuxParameters for container '{name}'. sharedMemorySize must be greater than 0 MiB.");
        }

        foreach (var tmpfs in linux.Tmpfs ?? [])
        {
            if (tmpfs.Size is not > 0)
            {
                throw EcsException.Client($"Invalid tmpfs '{tmpfs.ContainerPath}' for container '{name}'. size must be greater than 0 MiB.");
            }
        }
    }

    private static void ValidateResourceRequirements(string name, IReadOnlyList<ResourceRequirement> requirements)
    {
        var gpus = 0;
        foreach (var requirement in requirements)
        {
            switch (requirement.Type)
            {
                case ResourceTypes.Gpu:
                    if (requirement.Value is not { } value
                        || !int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var count)
                        || count <= 0)
                    {
                        throw EcsException.Client(
                            $"Invalid GPU resource requirement for container '{name}'. value must be a whole number of GPUs greater than 0, not '{requirement.Value}'.");
                    }

                    if (++gpus > 1)
                    {
                        throw EcsException.Client($"Invalid resourceRequirements for container '{name}'. GPU is given more than once.");
                    }

                    break;
                case ResourceTypes.InferenceAccelerator:
                    throw EcsException.Client("Resource type InferenceAccelerator is not supported by this control plane yet.");
                default:
                    throw EcsException.Client($"Invalid resourceRequirements type '{requirement.Type}' for container '{name}'. Valid values: GPU, InferenceAccelerator.");
            }
        }
    }
}
