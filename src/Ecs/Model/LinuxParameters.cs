namespace Orchestrator.Ecs.Model;

/// <summary>Linux-specific settings of a container; this project implements capabilities, init, /dev/shm and tmpfs.</summary>
public sealed record LinuxParameters
{
    public KernelCapabilities? Capabilities { get; init; }
    public bool? InitProcessEnabled { get; init; }
    /// <summary>The size of /dev/shm in MiB.</summary>
    public int? SharedMemorySize { get; init; }
    public IReadOnlyList<Tmpfs>? Tmpfs { get; init; }
}

public sealed record KernelCapabilities
{
    public IReadOnlyList<string>? Add { get; init; }
    public IReadOnlyList<string>? Drop { get; init; }
}

public sealed record Tmpfs
{
    public string? ContainerPath { get; init; }
    /// <summary>MiB.</summary>
    public int? Size { get; init; }
    public IReadOnlyList<string>? MountOptions { get; init; }
}

/// <summary>The capability names ECS accepts in <c>capabilities.add</c> and <c>drop</c>.</summary>
public static class KernelCapabilityNames
{
    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        "ALL", "AUDIT_CONTROL", "AUDIT_WRITE", "BLOCK_SUSPEND", "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER",
        "FSETID", "IPC_LOCK", "IPC_OWNER", "KILL", "LEASE", "LINUX_IMMUTABLE", "MAC_ADMIN", "MAC_OVERRIDE", "MKNOD",
        "NET_ADMIN", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_RAW", "SETFCAP", "SETGID", "SETPCAP", "SETUID",
        "SYS_ADMIN", "SYS_BOOT", "SYS_CHROOT", "SYS_MODULE", "SYS_NICE", "SYS_PACCT", "SYS_PTRACE", "SYS_RAWIO",
        "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "SYSLOG", "WAKE_ALARM",
    };
}
