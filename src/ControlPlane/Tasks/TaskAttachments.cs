using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Tasks;

/// <summary>
/// An awsvpc task's network interface as ECS shows it: an attachment of type ElasticNetworkInterface, PRECREATED when
/// the control plane chooses the address, ATTACHED once the agent reports it set up (with its MAC address, and the
/// containers' networkInterfaces), DELETED when the task has stopped. Pure.
/// </summary>
public static class TaskAttachments
{
    public static Attachment Precreated(TaskAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return new Attachment
        {
            Id = address.AttachmentId,
            Type = Attachment.NetworkInterfaceType,
            Status = AttachmentStatus.Precreated,
            Details =
            [
                new(AttachmentDetails.SubnetId, address.SubnetId),
                new(AttachmentDetails.NetworkInterfaceId, NetworkInterfaceId(address.AttachmentId)),
                new(AttachmentDetails.PrivateIpv4Address, address.Ipv4Address),
            ],
        };
    }

    /// <summary>The task with its interface ATTACHED as the agent reported it; unchanged when it reported none.</summary>
    public static EcsTask Attached(EcsTask task, string attachmentId, string ipv4Address, string macAddress)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (task.Attachments?.FirstOrDefault(a => a.Id == attachmentId) is not { } attachment || attachment.Status == AttachmentStatus.Deleted)
        {
            return task;
        }

        var details = attachment.Details
            .Where(d => d.Name is not (AttachmentDetails.MacAddress or AttachmentDetails.PrivateIpv4Address))
            .Append(new NameValuePair(AttachmentDetails.MacAddress, macAddress))
            .Append(new NameValuePair(AttachmentDetails.PrivateIpv4Address, ipv4Address))
            .ToList();
        var attached = attachment with { Status = AttachmentStatus.Attached, Details = details };
        NetworkInterface[] interfaces = [new() { AttachmentId = attachmentId, PrivateIpv4Address = ipv4Address }];
        return task with
        {
            Attachments = [.. task.Attachments.Select(a => a.Id == attachmentId ? attached : a)],
            Containers = [.. task.Containers.Select(c => c with { NetworkInterfaces = interfaces })],
        };
    }

    /// <summary>The task with its interfaces DELETED, as for a stopped task.</summary>
    public static EcsTask Deleted(EcsTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        return task.Attachments is not { Count: > 0 } attachments
            ? task
            : task with { Attachments = [.. attachments.Select(a => a with { Status = AttachmentStatus.Deleted })] };
    }

    /// <summary>An ENI-like ID derived from the attachment ID: <c>eni-</c> and 17 hex digits.</summary>
    public static string NetworkInterfaceId(string attachmentId) =>
        "eni-" + new string([.. (attachmentId ?? "").Where(char.IsAsciiHexDigit).Select(char.ToLowerInvariant).Take(17)]).PadRight(17, '0');
}
