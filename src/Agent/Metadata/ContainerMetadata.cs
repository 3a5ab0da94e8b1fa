using Orchestrator.Ecs.Model;

namespace Orchestrator.Agent.Metadata;

/// <summary>
/// The metadata variables a container gets (<c>ECS_CONTAINER_METADATA_URI_V4</c> and the v3 <c>ECS_CONTAINER_METADATA_URI</c>):
/// the endpoint's address as seen from the container's network (loopback for host mode, the Docker bridge's gateway
/// for bridge, the metadata network's gateway for awsvpc) and the container's token. None while the endpoint is not
/// listening there, and none for network mode none.
/// </summary>
public sealed class ContainerMetadata(MetadataTokens tokens, TaskRoleCredentials? roleCredentials = null)
{
    public const string UriV4 = "ECS_CONTAINER_METADATA_URI_V4";
    public const string UriV3 = "ECS_CONTAINER_METADATA_URI";

    private volatile string? _loopback;
    private volatile string? _bridge;
    private volatile string? _awsvpc;

    private volatile string? _awsvpcNetwork;

    /// <summary>The Docker network awsvpc tasks' pause containers join to reach the endpoint; null: none.</summary>
    public string? AwsvpcNetwork => _awsvpcNetwork;

    /// <summary>
    /// Set by the endpoint once it listens: <c>address:port</c> for each kind of network, null where it does not;
    /// and the network awsvpc tasks reach it on.
    /// </summary>
    public void Listening(string? loopback, string? bridge, string? awsvpc, string? awsvpcNetwork = null)
    {
        _loopback = loopback;
        _bridge = bridge;
        _awsvpc = awsvpc;
        _awsvpcNetwork = awsvpc is null ? null : awsvpcNetwork;
    }

    /// <summary>
    /// The variables, and for a task with a task role <c>AWS_CONTAINER_CREDENTIALS_RELATIVE_URI</c> (bridge and host
    /// mode: the networks 169.254.170.2 is redirected for).
    /// </summary>
    public IReadOnlyList<string> EnvironmentFor(string taskArn, string containerName, string networkMode, bool taskRole)
    {
        var variables = EnvironmentFor(taskArn, containerName, networkMode);
        var reachable = networkMode switch
        {
            NetworkModes.Host => _loopback,
            NetworkModes.Bridge => _bridge,
            _ => null,
        };
        return taskRole && roleCredentials is not null && reachable is not null
            ? [.. variables, $"{TaskRoleCredentials.RelativeUriVariable}={roleCredentials.RelativeUri(taskArn)}"]
            : variables;
    }

    public IReadOnlyList<string> EnvironmentFor(string taskArn, string containerName, string networkMode)
    {
        var endpoint = networkMode switch
        {
            NetworkModes.Host => _loopback,
            NetworkModes.Bridge => _bridge,
            NetworkModes.Awsvpc => _awsvpc,
            _ => null,
        };
        if (endpoint is null)
        {
            return [];
        }

        var token = tokens.For(taskArn, containerName);
        return [$"{UriV4}=http://{endpoint}/v4/{token}", $"{UriV3}=http://{endpoint}/v3/{token}"];
    }
}
