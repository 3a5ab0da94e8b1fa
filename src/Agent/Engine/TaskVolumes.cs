using System.Globalization;
using Orchestrator.Agent.Docker;
using Orchestrator.Ecs.Model;
using Orchestrator.Ecs.Validation;

namespace Orchestrator.Agent.Engine;

/// <summary>A task volume as this host provides it: a host path to bind, or a Docker volume.</summary>
public sealed record ResolvedVolume(string Name, string? HostPath, VolumeSpec? Docker);

/// <summary>
/// The task's volumes as the ECS agent provides them. Pure. A host volume with a <c>sourcePath</c> is a bind mount;
/// a Docker volume of scope <c>task</c> — and a volume with neither (a scratch volume) — is a Docker volume made for
/// this task (<c>ecs-&lt;family&gt;-&lt;revision&gt;-&lt;volume&gt;-&lt;task id&gt;</c>, labelled with the task ARN)
/// and removed with it; a <c>shared</c> one is the Docker volume of that name, created only when
/// <c>autoprovision</c> is set, and kept. An <c>efsVolumeConfiguration</c> (an NFS export here) is, as in ECS, always
/// a volume of this task: the local driver with <c>type=nfs</c>, <c>o=addr=SERVER,</c><see cref="NfsMountOptions"/> and
/// <c>device=:/EXPORT/ROOT</c>; Docker mounts it when a container using it starts.
/// </summary>
public static class TaskVolumes
{
    /// <summary>
    /// The NFS options after <c>addr=</c>: version 4.1 as ECS's agent and EFS's documentation mount it, read-write, and
    /// <c>hard</c> with <c>timeo=600,retrans=2</c> and <c>noresvport</c> (EFS's recommended options, fine for any NFS server).
    /// </summary>
    public const string NfsMountOptions = "nfsvers=4.1,rw,hard,timeo=600,retrans=2,noresvport";

    /// <summary>The Docker local driver's options that mount <paramref name="export"/> over NFS.</summary>
    public static IReadOnlyDictionary<string, string> NfsDriverOptions(NfsExport export)
    {
        ArgumentNullException.ThrowIfNull(export);
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["type"] = "nfs",
            ["o"] = $"addr={export.Server},{NfsMountOptions}",
            ["device"] = export.Device,
        };
    }

    public static IReadOnlyDictionary<string, ResolvedVolume> Resolve(TaskDefinition definition, string taskArn)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var resolved = new Dictionary<string, ResolvedVolume>(StringComparer.Ordinal);
        foreach (var volume in definition.Volumes ?? [])
        {
            if (string.IsNullOrEmpty(volume.Name))
            {
                continue;
            }

            resolved[volume.Name] = volume switch
            {
                { Host.SourcePath: { Length: > 0 } path } => new ResolvedVolume(volume.Name, path, null),
                { DockerVolumeConfiguration: { Scope: VolumeScopes.Shared } shared } => new ResolvedVolume(volume.Name, null, new VolumeSpec
                {
                    Name = volume.Name,
                    Driver = shared.Driver ?? "local",
                    DriverOptions = shared.DriverOpts ?? new Dictionary<string, string>(),
                    Labels = shared.Labels ?? new Dictionary<string, string>(),
                    CreateIfMissing = shared.Autoprovision == true,
                    TaskScoped = false,
                }),
                { EfsVolumeConfiguration: { } efs } => new ResolvedVolume(volume.Name, null, TaskScoped(definition, volume, taskArn) with
                {
                    Driver = "local",
                    DriverOptions = NfsDriverOptions(NfsExport.Parse(volume.Name, efs.FileSystemId, efs.RootDirectory)),
                }),
                _ => new ResolvedVolume(volume.Name, null, TaskScoped(definition, volume, taskArn)),
            };
        }

        return resolved;
    }

    /// <summary>The Docker volumes made for this task, to remove when it is cleaned up.</summary>
    public static IReadOnlyList<string> TaskScopedNames(TaskDefinition definition, string taskArn) =>
        [.. Resolve(definition, taskArn).Values.Select(v => v.Docker).Where(d => d is { TaskScoped: true }).Select(d => d!.Name)];

    private static VolumeSpec TaskScoped(TaskDefinition definition, Volume volume, string taskArn)
    {
        var configuration = volume.DockerVolumeConfiguration;
        var labels = new Dictionary<string, string>(configuration?.Labels ?? new Dictionary<string, string>(), StringComparer.Ordinal)
        {
            [ContainerSpecBuilder.TaskArnLabel] = taskArn,
        };
        var taskId = taskArn[(taskArn.LastIndexOf('/') + 1)..];
        var name = string.Create(CultureInfo.InvariantCulture, $"ecs-{definition.Family}-{definition.Revision}-{volume.Name}-{taskId}");
        return new VolumeSpec
        {
            Name = string.Concat(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' ? c : '-')),
            Driver = configuration?.Driver ?? "local",
            DriverOptions = configuration?.DriverOpts ?? new Dictionary<string, string>(),
            Labels = labels,
            CreateIfMissing = true,
            TaskScoped = true,
        };
    }
}
