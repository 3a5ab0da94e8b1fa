using System.Globalization;
using System.Text.RegularExpressions;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Ecs.Validation;

/// <summary>ECS's rules for RegisterTaskDefinition, with ECS's messages where ECS has one.</summary>
public static partial class TaskDefinitionValidator
{
    public const int MaxContainers = 10;
    public const int MinContainerMemoryMiB = 6;

    /// <summary>Checks a request and returns it normalised (task cpu and memory as integer strings).</summary>
    public static RegisterTaskDefinitionRequest Validate(RegisterTaskDefinitionRequest request)
    {
        if (string.IsNullOrEmpty(request.Family))
        {
            throw EcsException.Client("Family can not be blank.");
        }

        if (!NamePattern().IsMatch(request.Family))
        {
            throw EcsException.Client("Family contains invalid characters.");
        }

        if (!string.IsNullOrEmpty(request.TaskRoleArn) && RoleArn.NameOf(request.TaskRoleArn) is null)
        {
            throw EcsException.Client("Role is not valid: taskRoleArn must be a role's ARN (arn:aws:iam::ACCOUNT:role/NAME) or name.");
        }

        var mode = request.NetworkMode ?? NetworkModes.Bridge;
        if (!NetworkModes.All.Contains(mode))
        {
            throw EcsException.Client($"Invalid networkMode '{mode}'. Valid values: bridge, host, awsvpc, none.");
        }

        foreach (var compatibility in request.RequiresCompatibilities ?? [])
        {
            if (compatibility is not ("EC2" or "EXTERNAL"))
            {
                throw EcsException.Client(compatibility == "FARGATE"
                    ? "requiresCompatibilities FARGATE is not available: tasks run on registered container instances (EC2 or EXTERNAL)."
                    : $"Invalid requiresCompatibilities value '{compatibility}'. Valid values: EC2, EXTERNAL.");
            }
        }

        var containers = request.ContainerDefinitions ?? [];
        if (containers.Count == 0)
        {
            throw EcsException.Client("Container definitions can not be empty.");
        }

        if (containers.Count > MaxContainers)
        {
            throw EcsException.Client("Too many containers.");
        }

        var taskCpu = ParseCpu(request.Cpu);
        var taskMemory = ParseMemory(request.Memory);
        var volumes = ValidateVolumes(request.Volumes ?? []);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var container in containers)
        {
            ValidateContainer(container, mode, taskMemory);
            ValidateSettings(container, mode);
            ValidateMountPoints(container, volumes);
            if (!names.Add(container.Name!))
            {
                throw EcsException.Client($"Duplicate container name '{container.Name}'. Container names must be unique within a task definition.");
            }
        }

        if (!containers.Any(c => c.IsEssential))
        {
            throw EcsException.Client("A task definition must have at least one essential container.");
        }

        ValidateOrdering(containers, mode);
        ValidateHostPorts(containers, mode);
        ValidateTaskTotals(containers, taskCpu, taskMemory);

        return request with
        {
            NetworkMode = request.NetworkMode,
            Cpu = taskCpu?.ToString(CultureInfo.InvariantCulture),
            Memory = taskMemory?.ToString(CultureInfo.InvariantCulture),
        };
    }

    private static void ValidateContainer(ContainerDefinition container, string mode, int? taskMemory)
    {
        if (string.IsNullOrEmpty(container.Name))
        {
            throw EcsException.Client("Container.name should not be null or empty.");
        }

        if (!NamePattern().IsMatch(container.Name))
        {
            throw EcsException.Client("Container.name contains invalid characters.");
        }

        if (string.IsNullOrWhiteSpace(container.Image))
        {
            throw EcsException.Client("Container.image should not be null or empty.");
        }

        if (container.Image.Length > 255 || !ImagePattern().IsMatch(container.Image))
        {
            throw EcsException.Client("Container.image contains invalid characters.");
        }

        var name = container.Name;
        if (container.Cpu < 0)
        {
            throw EcsException.Client($"Invalid 'cpu' setting for container '{name}'. It must not be negative.");
        }

        if (taskMemory is null && container.Memory is null && container.MemoryReservation is null)
        {
            throw EcsException.Client($"Invalid setting for container '{name}'. At least one of 'memory' or 'memoryReservation' must be specified.");
        }

        foreach (var (field, value) in new[] { ("memory", container.Memory), ("memoryReservation", container.MemoryReservation) })
        {
            if (value is < MinContainerMemoryMiB)
            {
                throw EcsException.Client($"Invalid '{field}' setting for container '{name}'. The minimum is {MinContainerMemoryMiB} MiB.");
            }
        }

        if (container.Memory is { } hard && container.MemoryReservation is { } soft && hard < soft)
        {
            throw EcsException.Client($"Invalid setting for container '{name}'. 'memory' must be greater than or equal to 'memoryReservation'.");
        }

        if (container.StopTimeout is < 0)
        {
            throw EcsException.Client($"Invalid 'stopTimeout' setting for container '{name}'. It must not be negative.");
        }

        foreach (var variable in container.Environment ?? [])
        {
            if (string.IsNullOrEmpty(variable.Name))
            {
                throw EcsException.Client($"Invalid environment setting for container '{name}'. Every variable needs a name.");
            }
        }

        ValidateSecrets(container, name);
        ValidateRepositoryCredentials(container, name);
        ValidateLogSecretOptions(container, name);

        var containerPorts = new HashSet<(int, string)>();
        foreach (var mapping in container.PortMappings ?? [])
        {
            ValidatePortMapping(mapping, name, mode);
            if (!containerPorts.Add((mapping.ContainerPort!.Value, mapping.EffectiveProtocol)))
            {
                throw EcsException.Client(
                    $"Container port {mapping.ContainerPort.Value.ToString(CultureInfo.InvariantCulture)}/{mapping.EffectiveProtocol} is mapped more than once in container '{name}'.");
            }
        }
    }

    private static void ValidatePortMapping(PortMapping mapping, string container, string mode)
    {
        if (mode == NetworkModes.None)
        {
            throw EcsException.Client("Port mappings are not supported when networkMode=none.");
        }

        if (mapping.ContainerPort is not (>= 1 and <= 65535))
        {
            throw EcsException.Client($"Invalid port mapping for container '{container}'. containerPort must be between 1 and 65535.");
        }

        if (mapping.HostPort is < 0 or > 65535)
        {
            throw EcsException.Client($"Invalid port mapping for container '{container}'. hostPort must be between 0 and 65535.");
        }

        if (mapping.EffectiveProtocol is not ("tcp" or "udp"))
        {
            throw EcsException.Client($"Invalid protocol '{mapping.Protocol}' in a port mapping of container '{container}'. Valid values: tcp, udp.");
        }

        if (mode is NetworkModes.Host or NetworkModes.Awsvpc && mapping.HostPort is { } host && host != 0 && host != mapping.ContainerPort)
        {
            throw EcsException.Client($"When networkMode={mode}, the host ports and container ports in port mappings must match.");
        }
    }

    private static void ValidateHostPorts(IReadOnlyList<ContainerDefinition> containers, string mode)
    {
        var used = new HashSet<(int, string)>();
        foreach (var mapping in containers.SelectMany(c => c.PortMappings ?? []))
        {
            var hostPort = mode == NetworkModes.Bridge ? mapping.HostPort ?? 0 : mapping.ContainerPort!.Value;
            if (hostPort != 0 && !used.Add((hostPort, mapping.EffectiveProtocol)))
            {
                throw EcsException.Client($"Host port {hostPort.ToString(CultureInfo.InvariantCulture)}/{mapping.EffectiveProtocol} is mapped more than once in the task definition.");
            }
        }
    }

    private static void ValidateTaskTotals(IReadOnlyList<ContainerDefinition> containers, int? taskCpu, int? taskMemory)
    {
        if (taskCpu is { } cpu)
        {
            if (cpu is < 128 or > 196608)
            {
                throw EcsException.Client("Invalid 'cpu' setting for task. It must be between 128 and 196608 CPU units (0.125 to 192 vCPU).");
            }

            if (containers.Sum(c => c.Cpu) > cpu)
            {
                throw EcsException.Client("Invalid 'cpu' setting for task. The sum of the containers' cpu must not exceed the task's cpu.");
            }
        }

        if (taskMemory is { } memory)
        {
            if (memory < MinContainerMemoryMiB)
            {
                throw EcsException.Client($"Invalid 'memory' setting for task. The minimum is {MinContainerMemoryMiB} MiB.");
            }

            foreach (var container in containers)
            {
                if (container.Memory > memory || container.MemoryReservation > memory)
                {
                    throw EcsException.Client($"Invalid setting for container '{container.Name}'. Its memory must not exceed the task's memory ({memory.ToString(CultureInfo.InvariantCulture)} MiB).");
                }
            }

            if (containers.Sum(c => c.MemoryReservation ?? 0) > memory)
            {
                throw EcsException.Client("Invalid 'memory' setting for task. The sum of the containers' memoryReservation must not exceed the task's memory.");
            }
        }
    }

    /// <summary>Task cpu as ECS takes it: CPU units ("1024") or vCPU ("1 vCPU", "0.5 vcpu").</summary>
    public static int? ParseCpu(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var match = QuantityPattern().Match(value.Trim());
        if (!match.Success)
        {
            throw EcsException.Client($"Invalid 'cpu' setting for task: '{EcsText.Cut(value)}'. Use CPU units (e.g. \"1024\") or vCPU (e.g. \"1 vCPU\").");
        }

        var unit = match.Groups["u"].Value.ToUpperInvariant();
        return (Quantity(match), unit) switch
        {
            ({ } number, "") when number == decimal.Truncate(number) => (int)number,
            ({ } number, "VCPU") when number * 1024 <= int.MaxValue => (int)(number * 1024),
            _ => throw EcsException.Client($"Invalid 'cpu' setting for task: '{EcsText.Cut(value)}'. Use CPU units (e.g. \"1024\") or vCPU (e.g. \"1 vCPU\")."),
        };
    }

    /// <summary>Task memory as ECS takes it: MiB ("512") or GB ("1GB", "0.5 gb").</summary>
    public static int? ParseMemory(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var match = QuantityPattern().Match(value.Trim());
        if (!match.Success)
        {
            throw EcsException.Client($"Invalid 'memory' setting for task: '{EcsText.Cut(value)}'. Use MiB (e.g. \"512\") or GB (e.g. \"1 GB\").");
        }

        var unit = match.Groups["u"].Value.ToUpperInvariant();
        return (Quantity(match), unit) switch
        {
            ({ } number, "" or "MIB" or "MB") when number == decimal.Truncate(number) => (int)number,
            ({ } number, "GB" or "GIB") when number * 1024 <= int.MaxValue => (int)(number * 1024),
            _ => throw EcsException.Client($"Invalid 'memory' setting for task: '{EcsText.Cut(value)}'. Use MiB (e.g. \"512\") or GB (e.g. \"1 GB\")."),
        };
    }

    /// <summary>The number of a quantity, or null when it does not fit an int (no task has 2^31 CPU units or MiB).</summary>
    private static decimal? Quantity(Match match) =>
        decimal.TryParse(match.Groups["n"].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number) && number <= int.MaxValue
            ? number
            : null;

    [GeneratedRegex("^[A-Za-z0-9_-]{1,255}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[A-Za-z0-9_:./#@-]+$")]
    private static partial Regex ImagePattern();

    [GeneratedRegex(@"^(?<n>\d+(\.\d+)?)\s*(?<u>[A-Za-z]*)$")]
    private static partial Regex QuantityPattern();
}
