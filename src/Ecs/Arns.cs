using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Orchestrator.Ecs;

/// <summary>
/// ECS's long ARN formats for one region and account, e.g.
/// <c>arn:aws:ecs:us-east-1:000000000000:task/default/0123456789abcdef0123456789abcdef</c>.
/// </summary>
public sealed class Arns(string region, string account)
{
    public string Region { get; } = region;
    public string Account { get; } = account;

    private string Prefix => $"arn:aws:ecs:{Region}:{Account}:";

    public string Cluster(string name) => $"{Prefix}cluster/{name}";

    public string TaskDefinition(string family, int revision) =>
        $"{Prefix}task-definition/{family}:{revision.ToString(CultureInfo.InvariantCulture)}";

    public string Task(string clusterName, string taskId) => $"{Prefix}task/{clusterName}/{taskId}";

    public string Service(string clusterName, string serviceName) => $"{Prefix}service/{clusterName}/{serviceName}";

    public string ContainerInstance(string clusterName, string instanceId) => $"{Prefix}container-instance/{clusterName}/{instanceId}";

    public string Container(string clusterName, string taskId, string containerId) => $"{Prefix}container/{clusterName}/{taskId}/{containerId}";

    /// <summary>
    /// Whether a reference is an ARN of another region or account: such a reference never names a resource here, even
    /// when a resource of the same name exists.
    /// </summary>
    public bool IsForeign(string? reference) =>
        reference is not null && TryParse(reference, out var arn) && (arn.Region != Region || arn.Account != Account);

    /// <summary>A new task or container-instance ID: 32 lowercase hex digits.</summary>
    public static string NewId() => Guid.NewGuid().ToString("N");

    /// <summary>The family of a task definition ARN (<c>…:task-definition/web:3</c> → <c>web</c>).</summary>
    public static string TaskDefinitionFamily(string taskDefinitionArn)
    {
        var name = taskDefinitionArn[(taskDefinitionArn.LastIndexOf('/') + 1)..];
        var colon = name.LastIndexOf(':');
        return colon < 0 ? name : name[..colon];
    }

    /// <summary>Splits an ECS ARN into its resource type and the path after it.</summary>
    public static bool TryParse(string value, [NotNullWhen(true)] out ParsedArn? arn)
    {
        arn = null;
        var parts = value.Split(':', 6);
        if (parts.Length != 6 || parts[0] != "arn" || parts[2] != "ecs")
        {
            return false;
        }

        var slash = parts[5].IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0)
        {
            return false;
        }

        arn = new ParsedArn(parts[3], parts[4], parts[5][..slash], parts[5][(slash + 1)..].Split('/'));
        return true;
    }

    /// <summary>
    /// The last segment of an ARN of the given resource type, or the value itself when it is not an ARN (an ECS
    /// reference may be either).
    /// </summary>
    public static string ShortName(string reference, string resourceType) =>
        TryParse(reference, out var arn) && arn.ResourceType == resourceType ? arn.Path[^1] : reference;
}

public sealed record ParsedArn(string Region, string Account, string ResourceType, IReadOnlyList<string> Path);
