using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Engine;
using Orchestrator.Agent.Ports;
using Orchestrator.Agent.State;
using Orchestrator.Agent.Tests.Support;
using Orchestrator.Ecs.Model;
using static Orchestrator.Agent.Tests.Support.TaskDefinitions;

namespace Orchestrator.Agent.Tests.Docker;

/// <summary>
/// NFS volumes (<c>efsVolumeConfiguration</c> with <c>fileSystemId</c> = <c>SERVER:/EXPORT</c>) on the real Docker engine.
/// The server is 127.0.0.1, so nothing leaves the machine. These machines' kernels have no NFS client
/// (<c>/proc/filesystems</c> lists no <c>nfs</c>), so the mount itself fails there, which is what is checked: the volume
/// Docker got, and the task stopping with the server and the kernel's error.
/// </summary>
[Collection(DockerCollection.Name)]
public sealed class NfsVolumeDockerTests(DockerFixture docker) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly TestLabellingDriver _driver = docker.LabelledDriver();
    private EngineHarness _harness = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>Whether this kernel can mount NFS at all (its file system list names nfs).</summary>
    private static bool KernelHasNfs =>
        File.Exists("/proc/filesystems") && File.ReadAllLines("/proc/filesystems").Any(line => line.Split('\t', ' ').Contains("nfs"));

    public async ValueTask InitializeAsync()
    {
        _harness = new EngineHarness(_driver, new AgentOptions { StopTimeout = TimeSpan.FromSeconds(2), TaskCleanupWait = TimeSpan.FromSeconds(1) },
            time: TimeProvider.System, portProbe: new SocketPortProbe());
        await _harness.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _harness.DisposeAsync();
        await docker.RemoveContainersAsync(_driver.RunSelector);
    }

    private static TaskDefinition NfsTask(string fileSystemId, string rootDirectory) =>
        Definition(Container("app") with
        {
            Command = ["sh", "-c", "cat /data/hello || exit 7"],
            MountPoints = [new MountPoint { SourceVolume = "web-data", ContainerPath = "/data" }],
        }) with
        {
            Volumes = [new Volume
            {
                Name = "web-data",
                EfsVolumeConfiguration = new EfsVolumeConfiguration { FileSystemId = fileSystemId, RootDirectory = rootDirectory, TransitEncryption = "DISABLED" },
            }],
        };

    [Fact]
    public async Task RunTask_NfsVolume_DockerVolumeHasNfsOptions_TaskStopsWithServerAndKernelError_VolumeRemovedWithTask()
    {
        var command = RunTask(NfsTask("127.0.0.1:/exports/data", "/web"));
        var volumeName = $"ecs-web-3-web-data-{command.TaskArn[(command.TaskArn.LastIndexOf('/') + 1)..]}";

        _harness.Engine.RunTask(command);

        var stopped = await _harness.Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Stopped, Timeout);
        const string prefix = "ResourceInitializationError: failed to mount NFS volume web-data from 127.0.0.1:/exports/data/web: ";
        TestContext.Current.TestOutputHelper?.WriteLine($"kernel has nfs: {KernelHasNfs}; stoppedReason: {stopped.StoppedReason}");
        Assert.StartsWith(prefix, stopped.StoppedReason, StringComparison.Ordinal);
        if (!KernelHasNfs)
        {
            Assert.Equal(prefix + "no such device", stopped.StoppedReason);
        }

        Assert.DoesNotContain("nfsvers", stopped.StoppedReason, StringComparison.Ordinal);
        Assert.Equal(TaskStopCode.TaskFailedToStart, stopped.StopCode);
        Assert.Equal(stopped.StoppedReason, stopped.Container("app")!.Reason);

        // The volume this host got, as Docker reports it (kept until the task is cleaned up).
        var volume = await docker.Client.Volumes.InspectAsync(volumeName, Token);
        Assert.Equal("local", volume.Driver);
        Assert.Equal(new Dictionary<string, string>
        {
            ["type"] = "nfs",
            ["o"] = "addr=127.0.0.1,nfsvers=4.1,rw,hard,timeo=600,retrans=2,noresvport",
            ["device"] = ":/exports/data/web",
        }, volume.Options);
        Assert.Equal(command.TaskArn, volume.Labels[ContainerSpecBuilder.TaskArnLabel]);

        // One volume per task: it goes with the task.
        _harness.Store.Acknowledge(_harness.Store.LastSequence);
        await _harness.Store.WaitForAsync(() => _harness.Store.LoadTasks().Any(t => t.TaskArn == command.TaskArn) ? null : "", "the task to be cleaned up", Timeout);
        Assert.False(await _driver.VolumeExistsAsync(volumeName, Token));
    }

    [Fact]
    public async Task RunTask_TwoTasksOnOneExport_EachGetsItsOwnVolume()
    {
        var first = RunTask(NfsTask("127.0.0.1:/exports/data", "/"));
        var second = RunTask(NfsTask("127.0.0.1:/exports/data", "/"));

        _harness.Engine.RunTask(first);
        _harness.Engine.RunTask(second);

        foreach (var task in new[] { first, second })
        {
            await _harness.Store.WaitForStatusAsync(task.TaskArn, LifecycleStatus.Stopped, Timeout);
            var volume = await docker.Client.Volumes.InspectAsync($"ecs-web-3-web-data-{task.TaskArn[(task.TaskArn.LastIndexOf('/') + 1)..]}", Token);
            Assert.Equal(":/exports/data", volume.Options["device"]);
            Assert.Equal(task.TaskArn, volume.Labels[ContainerSpecBuilder.TaskArnLabel]);
        }
    }

    [Fact]
    public async Task RunTask_DockerVolumeConfigurationWithNfsDriverOpts_GetsTheSameVolumeAndReason()
    {
        var definition = Definition(Container("app") with { MountPoints = [new MountPoint { SourceVolume = "web-data", ContainerPath = "/data" }] }) with
        {
            Volumes = [new Volume
            {
                Name = "web-data",
                DockerVolumeConfiguration = new DockerVolumeConfiguration
                {
                    Scope = VolumeScopes.Task,
                    Driver = "local",
                    DriverOpts = new Dictionary<string, string> { ["type"] = "nfs", ["o"] = "addr=127.0.0.1,nfsvers=4.1,rw", ["device"] = ":/exports/data" },
                },
            }],
        };
        var command = RunTask(definition);

        _harness.Engine.RunTask(command);

        var stopped = await _harness.Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Stopped, Timeout);
        Assert.StartsWith("ResourceInitializationError: failed to mount NFS volume web-data from 127.0.0.1:/exports/data: ", stopped.StoppedReason, StringComparison.Ordinal);
        var volume = await docker.Client.Volumes.InspectAsync($"ecs-web-3-web-data-{command.TaskArn[(command.TaskArn.LastIndexOf('/') + 1)..]}", Token);
        Assert.Equal("addr=127.0.0.1,nfsvers=4.1,rw", volume.Options["o"]);
        Assert.Equal("nfs", volume.Options["type"]);
    }

    /// <summary>
    /// Only where the kernel has an NFS client (never on the machines this was written on, so never run there): Debian's
    /// userspace server nfs-ganesha exports a directory on 127.0.0.1 at a free port; one task writes a file through its
    /// NFS volume, the file is in the export, and a second task reads it through its own.
    /// </summary>
    [Fact]
    public async Task RunTask_KernelWithNfs_TasksWriteAndReadThroughAUserspaceServersExport()
    {
        if (!KernelHasNfs)
        {
            Assert.Skip("This kernel has no NFS client (/proc/filesystems lists no nfs), so no NFS mount can succeed here; the real mount was not run.");
        }

        const string ganesha = "/usr/bin/ganesha.nfsd";
        Assert.True(File.Exists(ganesha), "nfs-ganesha is not installed: run scripts/ensure-tools.sh (apt-get install nfs-ganesha nfs-ganesha-vfs).");
        var dir = Directory.CreateTempSubdirectory("orch-nfs-");
        var export = Directory.CreateDirectory(Path.Combine(dir.FullName, "export")).FullName;
        var port = FreeLoopbackPort();
        var config = Path.Combine(dir.FullName, "ganesha.conf");
        await File.WriteAllTextAsync(config, $$"""
            NFS_CORE_PARAM { Bind_addr = 127.0.0.1; NFS_Port = {{port}}; Protocols = 4; Enable_NLM = false; Enable_RQUOTA = false; }
            NFSV4 { Graceless = true; Minor_Versions = 1, 2; }
            NFS_KRB5 { Active_krb5 = false; }
            EXPORT { Export_Id = 1; Path = {{export}}; Pseudo = /data; Access_Type = RW; Squash = No_Root_Squash; SecType = sys; Protocols = 4; Transports = TCP; FSAL { Name = VFS; } }
            """, Token);
        using var server = Process.Start(new ProcessStartInfo(ganesha)
        {
            ArgumentList = { "-F", "-f", config, "-L", Path.Combine(dir.FullName, "ganesha.log"), "-p", Path.Combine(dir.FullName, "ganesha.pid"), "-N", "NIV_EVENT" },
            UseShellExecute = false,
        })!;
        try
        {
            await WaitForListenerAsync(port);
            TaskDefinition Task(string command) => Definition(Container("app") with
            {
                Command = ["sh", "-c", command],
                MountPoints = [new MountPoint { SourceVolume = "shared", ContainerPath = "/data" }],
            }) with
            {
                Volumes = [new Volume
                {
                    Name = "shared",
                    DockerVolumeConfiguration = new DockerVolumeConfiguration
                    {
                        Driver = "local",
                        DriverOpts = new Dictionary<string, string> { ["type"] = "nfs", ["o"] = $"addr=127.0.0.1,port={port},nfsvers=4.1,rw", ["device"] = ":/data" },
                    },
                }],
            };

            var writer = RunTask(Task("echo written-by-task-a > /data/hello"));
            _harness.Engine.RunTask(writer);
            var written = await _harness.Store.WaitForStatusAsync(writer.TaskArn, LifecycleStatus.Stopped, Timeout);
            Assert.True(written.Container("app")!.ExitCode == 0, written.StoppedReason);
            Assert.Equal("written-by-task-a\n", await File.ReadAllTextAsync(Path.Combine(export, "hello"), Token));

            var reader = RunTask(Task("grep -qx written-by-task-a /data/hello"));
            _harness.Engine.RunTask(reader);
            var read = await _harness.Store.WaitForStatusAsync(reader.TaskArn, LifecycleStatus.Stopped, Timeout);
            Assert.True(read.Container("app")!.ExitCode == 0, read.StoppedReason);
        }
        finally
        {
            server.Kill();
            await server.WaitForExitAsync(CancellationToken.None);
            dir.Delete(recursive: true);
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Until the server accepts on 127.0.0.1:<paramref name="port"/>; at most 20 s.</summary>
    private static async Task WaitForListenerAsync(int port)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port, Token);
                return;
            }
            catch (SocketException)
            {
                await System.Threading.Tasks.Task.Delay(200, Token);
            }
        }

        Assert.Fail($"nfs-ganesha did not listen on 127.0.0.1:{port} within 20 s.");
    }
}
