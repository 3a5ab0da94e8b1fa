using System.Globalization;
using Orchestrator.Agent.Docker;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Agent.Engine;

/// <summary>A task volume as this host provides it: a host path to bind, or a Docker volume.</summary>
public sealed record ResolvedVolume(string Name, string? HostPath, VolumeSpec? Docker);

/// <summary>
/// The task's volumes as the ECS agent provides them. Pure. A host volume with a <c>sourcePath</c> is a bind mount;
/// a Docker volume of scope <c>task</c> — and a volume with neither (a scratch volume) — is a Docker volume made for
/// this task (<c>ecs-&lt;family&gt;-&lt;revision&gt;-&lt;volume&gt;-&lt;task id&gt;</c>, labelled with the task ARN)
/// and removed with it; a <c>shared</c> one is the Docker volume of that name, created only when
/// <c>autoprovision</c> is set, and kept.
/// </summary>
public static class TaskVolumes
{
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
