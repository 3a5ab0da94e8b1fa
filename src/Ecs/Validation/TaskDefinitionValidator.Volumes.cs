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

            if ((volume.Host is not null ? 1 : 0) + (volume.DockerVolumeConfiguration is not null ? 1 : 0) + (volume.EfsVolumeConfiguration is not null ? 1 : 0) > 1)
            {
                throw EcsException.Client($"Invalid volume '{volume.Name}'. Specify only one of host, dockerVolumeConfiguration and efsVolumeConfiguration.");
            }

            if (volume.EfsVolumeConfiguration is { } efs)
            {
                ValidateNfsVolume(volume.Name, efs);
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

    /// <summary>
    /// <c>efsVolumeConfiguration</c> with an NFS server: <c>fileSystemId</c> = <c>SERVER:/EXPORT</c>. Transit encryption
    /// needs a TLS mount helper (EFS's <c>amazon-efs-utils</c>) and access points and IAM need EFS itself; none exists
    /// here, so only their DISABLED values are accepted.
    /// </summary>
    private static void ValidateNfsVolume(string name, EfsVolumeConfiguration efs)
    {
        if (efs.TransitEncryption is { } encryption && encryption != "DISABLED")
        {
            throw EcsException.Client(encryption == "ENABLED"
                ? $"Invalid efsVolumeConfiguration for volume '{name}'. transitEncryption ENABLED needs a TLS mount helper, which this cluster does not have; use DISABLED (plain NFS)."
                : $"Invalid transitEncryption '{encryption}' for volume '{name}'. Valid values: ENABLED, DISABLED.");
        }

        if (efs.TransitEncryptionPort is not null)
        {
            throw EcsException.Client($"Invalid efsVolumeConfiguration for volume '{name}'. transitEncryptionPort is only allowed with transitEncryption ENABLED.");
        }

        if (efs.AuthorizationConfig is { } authorization)
        {
            if (!string.IsNullOrEmpty(authorization.AccessPointId))
            {
                throw EcsException.Client($"Invalid efsVolumeConfiguration for volume '{name}'. EFS access points do not exist for an NFS server; leave accessPointId out and use rootDirectory.");
            }

            if (authorization.Iam is { } iam && iam != "DISABLED")
            {
                throw EcsException.Client(iam == "ENABLED"
                    ? $"Invalid efsVolumeConfiguration for volume '{name}'. IAM authorization is an EFS feature an NFS server does not have; use DISABLED."
                    : $"Invalid iam '{iam}' for volume '{name}'. Valid values: ENABLED, DISABLED.");
            }
        }

        _ = NfsExport.Parse(name, efs.FileSystemId, efs.RootDirectory);
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
