using Orchestrator.Ecs.Model;

namespace Orchestrator.Ecs.Validation;

/// <summary>Task volumes and the containers' mount points.</summary>
public static partial class TaskDefinitionValidator
{
    private static HashSet<string> ValidateVolumes(IReadOnlyList<Volume> volumes)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var volume in volumes)
        {
            if (string.IsNullOrEmpty(volume.Name))
            {
                throw EcsException.Client("Invalid volume. Every volume needs a name.");
            }

            if (!NamePattern().IsMatch(volume.Name))
            {
                throw EcsException.Client($"Invalid volume name '{volume.Name}'. Up to 255 letters, digits, hyphens and underscores are allowed.");
            }

            if (!names.Add(volume.Name))
            {
                throw EcsException.Client($"Duplicate volume name '{volume.Name}'. Volume names must be unique within a task definition.");
            }

            if (volume.Host is not null && volume.DockerVolumeConfiguration is not null)
            {
                throw EcsException.Client($"Invalid volume '{volume.Name}'. Specify either host or dockerVolumeConfiguration, not both.");
            }

            if (volume.DockerVolumeConfiguration is { } docker)
            {
                var scope = docker.Scope ?? VolumeScopes.Task;
                if (scope is not (VolumeScopes.Task or VolumeScopes.Shared))
                {
                    throw EcsException.Client($"Invalid scope '{docker.Scope}' for volume '{volume.Name}'. Valid values: task, shared.");
                }

                if (docker.Autoprovision == true && scope != VolumeScopes.Shared)
                {
                    throw EcsException.Client($"Invalid volume '{volume.Name}'. autoprovision is only allowed when scope is shared.");
                }
            }
        }

        return names;
    }

    private static void ValidateMountPoints(ContainerDefinition container, HashSet<string> volumes)
    {
        var name = container.Name!;
        var paths = new HashSet<string>(StringComparer.Ordinal);
        foreach (var mount in container.MountPoints ?? [])
        {
            if (string.IsNullOrEmpty(mount.SourceVolume))
            {
                throw EcsException.Client($"Invalid mountPoint for container '{name}'. sourceVolume must be set.");
            }

            if (!volumes.Contains(mount.SourceVolume))
            {
                throw EcsException.Client($"Invalid mountPoint for container '{name}'. sourceVolume '{mount.SourceVolume}' is not a volume of this task definition.");
            }

            CheckContainerPath(name, "mountPoint", mount.ContainerPath, paths);
        }

        foreach (var tmpfs in container.LinuxParameters?.Tmpfs ?? [])
        {
            CheckContainerPath(name, "tmpfs", tmpfs.ContainerPath, paths);
        }
    }

    private static void CheckContainerPath(string container, string what, string? path, HashSet<string> seen)
    {
        if (string.IsNullOrEmpty(path))
        {
            throw EcsException.Client($"Invalid {what} for container '{container}'. containerPath must be set.");
        }

        if (!seen.Add(path.TrimEnd('/')))
        {
            throw EcsException.Client($"Invalid {what} for container '{container}'. containerPath '{path}' is mounted more than once.");
        }
    }
}
