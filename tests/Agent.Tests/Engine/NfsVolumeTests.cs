using Orchestrator.Agent.Docker;
using Orchestrator.Agent.Engine;
using Orchestrator.Ecs.Model;
using static Orchestrator.Agent.Tests.Support.TaskDefinitions;

namespace Orchestrator.Agent.Tests.Engine;

/// <summary>
/// An <c>efsVolumeConfiguration</c> (an NFS export) as the agent turns it into a Docker volume, and Docker's mount errors
/// as the reason a task stops. Pure; <see cref="Docker.NfsVolumeDockerTests"/> checks the same on the real engine.
/// </summary>
public sealed class NfsVolumeTests
{
    private static TaskDefinition WithNfs(string fileSystemId = "10.0.0.5:/exports/data", string? root = "/web") =>
        Definition(Container("app") with { MountPoints = [new MountPoint { SourceVolume = "web-data", ContainerPath = "/data" }] }) with
        {
            Volumes = [new Volume { Name = "web-data", EfsVolumeConfiguration = new EfsVolumeConfiguration { FileSystemId = fileSystemId, RootDirectory = root } }],
        };

    [Fact]
    public void Resolve_EfsVolume_IsATaskScopedLocalVolumeWithNfsOptions()
    {
        var taskArn = NewTaskArn();

        var volume = TaskVolumes.Resolve(WithNfs(), taskArn)["web-data"];

        var docker = Assert.IsType<VolumeSpec>(volume.Docker);
        Assert.Null(volume.HostPath);
        Assert.Equal($"ecs-web-3-web-data-{taskArn[(taskArn.LastIndexOf('/') + 1)..]}", docker.Name);
        Assert.Equal("local", docker.Driver);
        Assert.Equal(new Dictionary<string, string>
        {
            ["type"] = "nfs",
            ["o"] = "addr=10.0.0.5,nfsvers=4.1,rw,hard,timeo=600,retrans=2,noresvport",
            ["device"] = ":/exports/data/web",
        }, docker.DriverOptions);
        Assert.True(docker.TaskScoped);
        Assert.True(docker.CreateIfMissing);
        Assert.Equal(taskArn, docker.Labels[ContainerSpecBuilder.TaskArnLabel]);
        Assert.Equal([docker.Name], TaskVolumes.TaskScopedNames(WithNfs(), taskArn));
    }

    [Fact]
    public void Resolve_EfsVolumeWithoutRootDirectory_MountsTheExportItself()
    {
        var docker = TaskVolumes.Resolve(WithNfs("nfs.example.internal:/", null), NewTaskArn())["web-data"].Docker!;

        Assert.Equal(":/", docker.DriverOptions["device"]);
        Assert.StartsWith("addr=nfs.example.internal,", docker.DriverOptions["o"], StringComparison.Ordinal);
    }

    [Fact]
    public void Reason_DockersNfsMountError_NamesVolumeServerExportAndKernelError()
    {
        var taskArn = NewTaskArn();
        var volumes = TaskVolumes.Resolve(WithNfs(), taskArn);
        var name = volumes["web-data"].Docker!.Name;
        // Docker 27's answer on a kernel without NFS (seen on these machines).
        var message = $"Docker API responded with status code=InternalServerError, response={{\"message\":\"error while mounting volume '/var/lib/docker/volumes/{name}/_data': " +
                      $"failed to mount local volume: mount :/exports/data/web:/var/lib/docker/volumes/{name}/_data, data: addr=10.0.0.5,nfsvers=4.1,hard,timeo=600,retrans=2,noresvport: no such device";

        var reason = VolumeMountFailure.Reason(message, volumes);

        Assert.Equal("ResourceInitializationError: failed to mount NFS volume web-data from 10.0.0.5:/exports/data/web: no such device", reason);
    }

    [Fact]
    public void Reason_OtherVolumeDrivers_NeverRepeatTheMountOptions()
    {
        var definition = Definition(Container("app")) with
        {
            Volumes = [new Volume
            {
                Name = "share",
                DockerVolumeConfiguration = new DockerVolumeConfiguration
                {
                    Driver = "local",
                    DriverOpts = new Dictionary<string, string> { ["type"] = "cifs", ["o"] = "username=u,password=s3cr3t-value", ["device"] = "//127.0.0.1/share" },
                },
            }],
        };
        var volumes = TaskVolumes.Resolve(definition, NewTaskArn());
        var name = volumes["share"].Docker!.Name;
        var message = $"error while mounting volume '/var/lib/docker/volumes/{name}/_data': failed to mount local volume: mount //127.0.0.1/share:/var/lib/docker/volumes/{name}/_data, " +
                      "data: username=u,password=s3cr3t-value: no such device";

        var reason = VolumeMountFailure.Reason(message, volumes);

        Assert.Equal("ResourceInitializationError: failed to mount Docker volume share (driver local): no such device", reason);
        Assert.DoesNotContain("s3cr3t", reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Bind for 0.0.0.0:32768 failed: port is already allocated")]
    [InlineData("error while mounting volume '/var/lib/docker/volumes/someone-elses/_data': failed to mount local volume: no such device")]
    public void Reason_NotAMountFailureOfThisTask_IsNull(string message)
    {
        Assert.Null(VolumeMountFailure.Reason(message, TaskVolumes.Resolve(WithNfs(), NewTaskArn())));
    }
}
