using Orchestrator.Agent.Docker;
using Orchestrator.Agent.State;

namespace Orchestrator.Agent.Engine;

/// <summary>
/// A task to run on this host, in the engine's terms: what the control plane placed here (the session translates its
/// wire message into this). The task definition and overrides stay in ECS's JSON, as they are stored; the engine reads
/// them, and a definition it cannot read stops the task with the reason.
/// </summary>
public sealed record RunTaskCommand
{
    public required string TaskArn { get; init; }
    public required string ClusterArn { get; init; }
    /// <summary>The ECS TaskDefinition as JSON in ECS's shape.</summary>
    public required string TaskDefinitionJson { get; init; }
    /// <summary>The ECS TaskOverride as JSON; empty when there are none.</summary>
    public string OverridesJson { get; init; } = "";
    /// <summary>The GPUs placement chose, for each container that asked for some.</summary>
    public IReadOnlyList<GpuAssignment> Gpus { get; init; } = [];
    /// <summary>awsvpc tasks: the address the control plane chose; null for other network modes.</summary>
    public TaskNetworkRecord? Network { get; init; }
    /// <summary>
    /// The values of the containers' <c>secrets</c>, resolved by the control plane. Held in memory only: never in the
    /// agent's store (a restarted agent does not have them; see <see cref="ContainerSecret"/>).
    /// </summary>
    public IReadOnlyList<ContainerSecret> Secrets { get; init; } = [];
    /// <summary>The W3C traceparent of the control plane's dispatch span; empty when tracing is off there.</summary>
    public string Traceparent { get; init; } = "";
    /// <summary>The registry logins of containers with <c>repositoryCredentials</c>; in memory only, like secrets.</summary>
    public IReadOnlyList<ContainerRegistryLogin> RegistryLogins { get; init; } = [];
    /// <summary>The values of containers' <c>logConfiguration.secretOptions</c> (Name = the option); in memory only, like secrets.</summary>
    public IReadOnlyList<ContainerSecret> LogSecretOptions { get; init; } = [];

    /// <summary>The GPU IDs placement gave the container (none when it asked for none).</summary>
    public IReadOnlyList<string> GpuIdsOf(string? containerName) =>
        Gpus.FirstOrDefault(g => g.ContainerName == containerName)?.GpuIds ?? [];
}

/// <summary>The GPUs placement chose for one container.</summary>
public sealed record GpuAssignment(string ContainerName, IReadOnlyList<string> GpuIds);

/// <summary>
/// One secret environment variable of one container. Its <see cref="ToString"/> leaves the value out, so that no log
/// line or exception that prints it shows the value.
/// </summary>
public sealed record ContainerSecret(string ContainerName, string Name, string Value)
{
    public override string ToString() => $"ContainerSecret {{ ContainerName = {ContainerName}, Name = {Name} }}";
}

/// <summary>
/// The registry login of one container (<c>repositoryCredentials</c>). Its <see cref="ToString"/> leaves the login out,
/// so that no log line or exception that prints it shows the password.
/// </summary>
public sealed record ContainerRegistryLogin(string ContainerName, RegistryAuth Auth)
{
    public override string ToString() => $"ContainerRegistryLogin {{ ContainerName = {ContainerName} }}";
}
