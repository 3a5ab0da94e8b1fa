namespace Orchestrator.Ecs.Model;

/// <summary>
/// ECS's <c>ServiceRegistry</c>: where a service's tasks are registered for discovery. With no Cloud Map here,
/// <see cref="RegistryArn"/> names a discovery service of this control plane (see README "Service discovery").
/// </summary>
public sealed record ServiceRegistry
{
    public string? RegistryArn { get; init; }
    public int? Port { get; init; }
    public string? ContainerName { get; init; }
    public int? ContainerPort { get; init; }
}
