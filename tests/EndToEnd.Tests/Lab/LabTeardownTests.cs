using Orchestrator.Ecs.Model;
using Orchestrator.Lab;

namespace Orchestrator.EndToEnd.Tests.Lab;

/// <summary>A lab leaves nothing behind: not after a test, not after a crash of the test process.</summary>
[Collection(LabCollection.Name)]
public sealed class LabTeardownTests
{
    [Fact(Timeout = 180_000)]
    public async Task Dispose_EvenWithAKilledDockerd_LeavesNothingWithTheLabsName()
    {
        var token = TestContext.Current.CancellationToken;
        var lab = await LabCluster.StartAsync(new LabOptions { Hosts = 2 });
        LabId id;
        try
        {
            id = lab.Id;
            (await lab.OrchAsync("taskdef", "register", "--file", Programs.Example("httpd.json"))).EnsureSuccess();
            var task = Assert.Single((await lab.OrchJsonAsync<TasksResponse>("task", "run", "--cluster", lab.ClusterName, "--task-definition", "httpd", "--wait")).Tasks);
            var host = await lab.HostOfAsync(task);
            // The worst case: dockerd and containerd gone, the container and its shim orphaned, its mounts still there.
            await host.StopDockerdAsync(hard: true);
            Assert.True(await ShimStillRunsAsync(task.Containers[0].RuntimeId!));

            var before = LabInventory.Find(id).Select(r => r.Kind).ToHashSet();
            Assert.Superset(
                new HashSet<LabResourceKind>
                {
                    LabResourceKind.Process, LabResourceKind.Mount, LabResourceKind.NetworkNamespace, LabResourceKind.Link,
                    LabResourceKind.IptablesRule, LabResourceKind.Cgroup, LabResourceKind.ShimSocket, LabResourceKind.Directory,
                },
                before);
        }
        finally
        {
            await lab.DisposeAsync();
        }

        Assert.Empty(lab.Leftovers);
        Assert.Empty(LabInventory.Find(id));
        // The same, the way a person would look.
        Assert.DoesNotContain(id.Value, (await Commands.RunAsync("ip", ["netns", "list"])).Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(id.Value, (await Commands.RunAsync("ip", ["link", "show"])).Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(id.Value, (await Commands.RunAsync("iptables", ["-S"])).Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(id.Value, await File.ReadAllTextAsync("/proc/self/mountinfo", token), StringComparison.Ordinal);
        Assert.DoesNotContain(id.Value, (await Commands.RunAsync("ps", ["-eo", "args"])).Stdout, StringComparison.Ordinal);
        Assert.False(Directory.Exists(id.Directory));
    }

    [Fact(Timeout = 60_000)]
    public async Task SweepAbandoned_RemovesWhatADeadTestProcessLeft()
    {
        var token = TestContext.Current.CancellationToken;
        // Debris as a killed test process leaves it: its directory with an owner that no longer runs, a bridge, a
        // namespace with a veth and a process in it, an iptables rule.
        var id = LabId.New();
        Directory.CreateDirectory(id.Directory);
        await File.WriteAllTextAsync(Path.Combine(id.Directory, "owner"), "2147483646 1\n", token);
        string[][] steps =
        [
            ["ip", "link", "add", id.Bridge, "type", "bridge"],
            ["ip", "netns", "add", id.Netns("h1")],
            ["ip", "link", "add", id.Veth("h1"), "type", "veth", "peer", "name", id.VethPeer("h1"), "netns", id.Netns("h1")],
            ["ip", "link", "set", id.Veth("h1"), "master", id.Bridge],
            ["iptables", "-w", "10", "-I", "INPUT", "-i", id.Bridge, "-m", "comment", "--comment", id.Value, "-j", "ACCEPT"],
        ];
        foreach (var step in steps)
        {
            (await Commands.RunAsync(step[0], step[1..])).EnsureSuccess();
        }

        var sleeper = new NetworkNamespace(id.Netns("h1")).Start("sleeper", "sleep", ["600"]);
        Assert.Contains(LabInventory.Find(id), r => r.Kind == LabResourceKind.Process);

        var swept = await LabSweeper.SweepAbandonedAsync();

        Assert.Contains(id, swept);
        Assert.Empty(LabInventory.Find(id));
        Assert.True(await sleeper.WaitForExitAsync(TimeSpan.FromSeconds(5)));
        await sleeper.DisposeAsync();
    }

    private static async Task<bool> ShimStillRunsAsync(string containerId) =>
        (await Commands.RunAsync("ps", ["-eo", "args"])).Stdout.Contains($"-id {containerId}", StringComparison.Ordinal);
}
