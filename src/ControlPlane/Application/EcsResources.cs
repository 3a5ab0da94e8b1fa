namespace Orchestrator.ControlPlane.Application;

/// <summary>
/// The ECS actions, one class per resource, for every front end: <see cref="EcsActions"/> dispatches to them by
/// action name for the gRPC cluster API and the ECS-compatible HTTP API. Validation happens in them; every change
/// goes through the state store's single writer.
/// </summary>
public sealed record EcsResources(
    ClusterActions Clusters,
    TaskDefinitionActions TaskDefinitions,
    TaskActions Tasks,
    ServiceActions Services,
    ContainerInstanceActions ContainerInstances,
    AttributeActions Attributes,
    TagActions Tags);
