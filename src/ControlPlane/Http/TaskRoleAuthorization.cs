using System.Text.Json;
using Orchestrator.Ecs;

namespace Orchestrator.ControlPlane.Http;

/// <summary>
/// What a call signed with a task role's keys may do: IAM's decision (<see cref="Security.RolePolicy.Allows"/>) for
/// <c>ecs:ACTION</c> on each resource the call names, else ECS's <c>AccessDeniedException</c> in IAM's words. The
/// resources are, in this order, the tasks (<c>task</c>, <c>tasks</c>), services (<c>service</c>, <c>services</c>,
/// <c>serviceName</c>), container instances, <c>resourceArn</c>, the task definition (RunTask, StartTask and the task
/// definition actions), the clusters (<c>clusters</c>, <c>cluster</c>, <c>clusterName</c>; the default cluster when an
/// action takes one and none is given) — as ARNs, short names resolved as the actions resolve them — and <c>*</c> for
/// an action on no resource (ListClusters, RegisterTaskDefinition, ListTaskDefinitions).
/// </summary>
public static class TaskRoleAuthorization
{
    private static readonly HashSet<string> TaskDefinitionActions =
        ["RunTask", "StartTask", "DescribeTaskDefinition", "DeregisterTaskDefinition"];

    private static readonly HashSet<string> NoCluster =
        ["ListClusters", "RegisterTaskDefinition", "ListTaskDefinitions", "ListTaskDefinitionFamilies", "DeleteTaskDefinitions",
         "ListAccountSettings", "PutAccountSetting", "PutAccountSettingDefault", "DeleteAccountSetting", "DescribeCapacityProviders",
         "CreateCluster"];

    /// <summary>Throws ECS's AccessDeniedException unless the role's policy allows the call on every resource it names.</summary>
    public static void Check(RequestAuthenticator.TaskRole role, string action, ReadOnlySpan<byte> body, Arns arns)
    {
        ArgumentNullException.ThrowIfNull(role);
        ArgumentNullException.ThrowIfNull(arns);
        var permission = "ecs:" + action;
        foreach (var resource in ResourcesOf(action, body, arns))
        {
            if (!role.Policy.Allows(permission, resource))
            {
                var denied = role.Policy.Statements.Any(s => !s.Allow
                    && s.Actions.Any(a => Security.RolePolicy.Matches(a, permission, ignoreCase: true))
                    && s.Resources.Any(r => Security.RolePolicy.Matches(r, resource, ignoreCase: false)));
                throw new EcsException(EcsHttpEndpoint.AccessDenied,
                    $"User: {role.AssumedRoleArn(arns.Account)} is not authorized to perform: {EcsText.Cut(permission, 80)} on resource: {EcsText.Cut(resource, 300)} " +
                    (denied ? "with an explicit deny in an identity-based policy" : $"because no identity-based policy allows the {EcsText.Cut(permission, 80)} action"));
            }
        }
    }

    private static readonly HashSet<string> PassingActions = ["RunTask", "StartTask", "CreateService", "UpdateService"];

    /// <summary>
    /// IAM's <c>iam:PassRole</c>: a call signed with a task role's keys that starts tasks with a role (RunTask's or
    /// StartTask's <c>overrides.taskRoleArn</c>, else the named task definition's) must be allowed <c>iam:PassRole</c> on
    /// that role, its own included — so a task cannot start another with more rights than its policy gives it.
    /// </summary>
    public static void CheckPassRole(RequestAuthenticator.TaskRole role, string action, ReadOnlySpan<byte> body, Arns arns, State.StateSnapshot state)
    {
        ArgumentNullException.ThrowIfNull(role);
        ArgumentNullException.ThrowIfNull(arns);
        ArgumentNullException.ThrowIfNull(state);
        if (!PassingActions.Contains(action))
        {
            return;
        }

        string? passed = null;
        try
        {
            using var document = JsonDocument.Parse(body.ToArray(), new JsonDocumentOptions { MaxDepth = 32 });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return;
            }

            if (root.TryGetProperty("overrides", out var overrides) && overrides.ValueKind == JsonValueKind.Object)
            {
                passed = String(overrides, "taskRoleArn");
            }

            if (passed is null && String(root, "taskDefinition") is { } reference)
            {
                try
                {
                    passed = Application.ResourceReferences.FindTaskDefinition(arns, state, reference)?.TaskRoleArn;
                }
                catch (EcsException)
                {
                    // a malformed reference: the action itself says so
                }
            }
        }
        catch (JsonException)
        {
            return;
        }

        if (passed is null)
        {
            return;
        }

        var roleArn = passed.StartsWith("arn:", StringComparison.Ordinal) ? passed : Ecs.Validation.RoleArn.For(arns.Account, passed);
        if (!role.Policy.Allows("iam:PassRole", roleArn))
        {
            throw new EcsException(EcsHttpEndpoint.AccessDenied,
                $"User: {role.AssumedRoleArn(arns.Account)} is not authorized to perform: iam:PassRole on resource: {EcsText.Cut(roleArn, 300)}");
        }
    }

    /// <summary>The resources a call names, as ARNs (see the class); never empty.</summary>
    public static IReadOnlyList<string> ResourcesOf(string action, ReadOnlySpan<byte> body, Arns arns)
    {
        ArgumentNullException.ThrowIfNull(arns);
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(body.Length == 0 ? "{}"u8.ToArray() : body.ToArray(), new JsonDocumentOptions { MaxDepth = 32 });
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return ["*"];
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            return ["*"];
        }

        var cluster = Arns.ShortName(String(root, "cluster") ?? "default", "cluster");
        var prefix = $"arn:aws:ecs:{arns.Region}:{arns.Account}:";
        string Resolve(string reference, Func<string, string> arn) => reference.StartsWith("arn:", StringComparison.Ordinal) ? reference : arn(reference);
        List<string> Named(string single, string list, Func<string, string> arn) =>
            [.. (String(root, single) is { } one ? [one] : Strings(root, list)).Select(r => Resolve(r, arn))];

        var tasks = Named("task", "tasks", id => arns.Task(cluster, id));
        if (tasks.Count > 0)
        {
            return tasks;
        }

        var services = Named("service", "services", name => arns.Service(cluster, name));
        if (services.Count == 0 && action == "CreateService" && String(root, "serviceName") is { } serviceName)
        {
            services = [arns.Service(cluster, serviceName)];
        }

        if (services.Count > 0)
        {
            return services;
        }

        var instances = Named("containerInstance", "containerInstances", id => arns.ContainerInstance(cluster, id));
        if (instances.Count > 0)
        {
            return instances;
        }

        if (String(root, "resourceArn") is { } resourceArn)
        {
            return [resourceArn];
        }

        if (TaskDefinitionActions.Contains(action) && String(root, "taskDefinition") is { } definition)
        {
            return [Resolve(definition, d => $"{prefix}task-definition/{d}")];
        }

        var clusters = Named("clusterName", "clusters", arns.Cluster);
        if (clusters.Count > 0)
        {
            return clusters;
        }

        return NoCluster.Contains(action) ? ["*"] : [arns.Cluster(cluster)];
    }

    private static string? String(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;

    private static List<string> Strings(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? [.. value.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 }).Select(v => v.GetString()!).Take(100)]
            : [];
}
