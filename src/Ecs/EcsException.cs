namespace Orchestrator.Ecs;

/// <summary>
/// An error as ECS reports it: a type such as <c>ClusterNotFoundException</c> and ECS's message text. Client errors
/// answer HTTP 400; <c>ServerException</c> answers 500.
/// </summary>
public sealed class EcsException : Exception
{
    public EcsException(string errorType, string message) : base(EcsText.CutQuoted(message)) => ErrorType = errorType;

    public string ErrorType { get; }

    public bool IsServerError => ErrorType == EcsErrors.Server;

    public static EcsException Client(string message) => new(EcsErrors.Client, message);

    public static EcsException InvalidParameter(string message) => new(EcsErrors.InvalidParameter, message);

    public static EcsException ClusterNotFound() => new(EcsErrors.ClusterNotFound, "Cluster not found.");
}

public static class EcsErrors
{
    public const string Client = "ClientException";
    public const string Server = "ServerException";
    public const string InvalidParameter = "InvalidParameterException";
    public const string ClusterNotFound = "ClusterNotFoundException";
    public const string ClusterContainsContainerInstances = "ClusterContainsContainerInstancesException";
    public const string ClusterContainsServices = "ClusterContainsServicesException";
    public const string ClusterContainsTasks = "ClusterContainsTasksException";
    public const string ServiceNotFound = "ServiceNotFoundException";
    public const string ServiceNotActive = "ServiceNotActiveException";
    public const string ResourceNotFound = "ResourceNotFoundException";
    public const string UnknownOperation = "UnknownOperationException";
    public const string UnsupportedFeature = "UnsupportedFeatureException";
    public const string ResourceInUse = "ResourceInUseException";

    /// <summary>The gRPC trailer that carries the ECS error type of a failed call.</summary>
    public const string GrpcTypeTrailer = "ecs-error-type";
}
