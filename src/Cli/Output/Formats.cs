using System.Globalization;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Cli.Output;

/// <summary>How ECS values are shown in tables: IDs instead of ARNs, ports like Docker, local times.</summary>
internal static class Formats
{
    /// <summary>The last segment of a task ARN: the task ID.</summary>
    public static string TaskId(string taskArn) => Arns.ShortName(taskArn, "task");

    /// <summary>A task ID shortened for progress lines: <c>0123abcd…</c>.</summary>
    public static string ShortTaskId(string taskArn)
    {
        var id = TaskId(taskArn);
        return id.Length > 8 ? id[..8] + "…" : id;
    }

    public static string? InstanceId(string? containerInstanceArn) =>
        containerInstanceArn is null ? null : Arns.ShortName(containerInstanceArn, "container-instance");

    public static string ClusterName(string clusterArn) => Arns.ShortName(clusterArn, "cluster");

    /// <summary><c>family:revision</c> from a task definition ARN.</summary>
    public static string Definition(string taskDefinitionArn) => Arns.ShortName(taskDefinitionArn, "task-definition");

    /// <summary>
    /// A task's bound ports as <c>hostPort-&gt;containerPort/protocol</c>, as <c>docker ps</c> shows them; a port bound
    /// on both IPv4 and IPv6 is shown once.
    /// </summary>
    public static string Bindings(IEnumerable<NetworkBinding> bindings) => string.Join(", ", bindings
        .Select(b => $"{Number(b.HostPort)}->{Number(b.ContainerPort)}/{b.Protocol ?? "tcp"}")
        .Distinct(StringComparer.Ordinal));

    /// <summary>
    /// A task definition's port mappings in the same direction as task bindings: <c>hostPort-&gt;containerPort/protocol</c>,
    /// with <c>dynamic</c> for host port 0 or absent.
    /// </summary>
    public static string Mappings(IEnumerable<PortMapping> mappings) => string.Join(", ", mappings.Select(m =>
        $"{(m.HostPort is null or 0 ? "dynamic" : Number(m.HostPort))}->{Number(m.ContainerPort)}/{m.EffectiveProtocol}"));

    /// <summary>What the task list's PORTS column shows: the bound ports, or an awsvpc task's own address.</summary>
    public static string TaskPorts(EcsTask task)
    {
        var bindings = Bindings(task.Containers.SelectMany(c => c.NetworkBindings));
        return bindings.Length > 0 || TaskAddress(task) is not { } address ? bindings : address;
    }

    /// <summary>An awsvpc task's address (its network interface's privateIPv4Address), null for other tasks.</summary>
    public static string? TaskAddress(EcsTask task) =>
        task.Attachments?.FirstOrDefault(a => a.Type == Attachment.NetworkInterfaceType)?.Detail(AttachmentDetails.PrivateIpv4Address);

    /// <summary><c>subnet-a, eni-…, ATTACHED</c>: the rest of what ECS says about an awsvpc task's interface.</summary>
    public static string NetworkInterface(EcsTask task)
    {
        var attachment = task.Attachments!.First(a => a.Type == Attachment.NetworkInterfaceType);
        return string.Join(", ", new[]
        {
            attachment.Detail(AttachmentDetails.SubnetId),
            attachment.Detail(AttachmentDetails.NetworkInterfaceId),
            attachment.Detail(AttachmentDetails.MacAddress),
            attachment.Status,
        }.Where(v => !string.IsNullOrEmpty(v)));
    }

    public static string? LocalTime(DateTimeOffset? value, TimeZoneInfo zone) =>
        value is { } time ? TimeZoneInfo.ConvertTime(time, zone).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : null;

    public static string Number(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";

    public static string YesNo(bool value) => value ? "yes" : "no";

    /// <summary>An INTEGER resource's value by name (CPU, MEMORY), 0 when absent.</summary>
    public static int Integer(IEnumerable<Resource> resources, string name) =>
        resources.FirstOrDefault(r => r.Name == name)?.IntegerValue ?? 0;

    /// <summary>A STRINGSET resource's values by name (PORTS, PORTS_UDP), joined.</summary>
    public static string StringSet(IEnumerable<Resource> resources, string name) =>
        string.Join(", ", resources.FirstOrDefault(r => r.Name == name)?.StringSetValue ?? []);
}
