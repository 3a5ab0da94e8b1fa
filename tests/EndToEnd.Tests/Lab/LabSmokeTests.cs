using System.Net;
using Docker.DotNet.Models;
using Orchestrator.Ecs.Model;
using Orchestrator.Lab;

namespace Orchestrator.EndToEnd.Tests.Lab;

/// <summary>The lab works as several real hosts: agents register from their own namespace and engine, and task ports are reachable across hosts.</summary>
[Collection(LabCollection.Name)]
public sealed class LabSmokeTests(TwoHostLab fixture) : IClassFixture<TwoHostLab>
{
    private readonly LabCluster _lab = fixture.Lab;

    [Fact(Timeout = 120_000)]
    public async Task TwoHosts_BothAgentsConnected_EachReportsItsOwnEngine()
    {
        var token = TestContext.Current.CancellationToken;
        var instances = await _lab.InstancesAsync();

        Assert.Equal(2, instances.Count);
        Assert.All(instances, i => Assert.True(i.AgentConnected, $"{i.ContainerInstanceArn} is not connected"));
        Assert.Equal(["h1", "h2"], instances.Select(i => _lab.HostOf(i).Name).Order());
        using var root = new Docker.DotNet.DockerClientBuilder().WithEndpoint(new Uri("unix:///var/run/docker.sock")).Build();
        var engineIds = new HashSet<string> { (await root.System.GetSystemInfoAsync(token)).ID };
        foreach (var host in _lab.Hosts)
        {
            var instance = await _lab.InstanceAsync(host);
            var info = await host.Docker.System.GetSystemInfoAsync(token);
            Assert.True(engineIds.Add(info.ID), $"{host}'s dockerd is not an engine of its own");
            Assert.Equal(info.NCPU * 1024, instance.RegisteredResources.Single(r => r.Name == ResourceNames.Cpu).IntegerValue);
            Assert.Equal(info.MemTotal / (1024 * 1024), instance.RegisteredResources.Single(r => r.Name == ResourceNames.Memory).IntegerValue);
            Assert.Equal(info.ServerVersion, instance.VersionInfo?.DockerVersion);
        }

        // Each agent reaches the control plane from its own host's address: it really runs inside that namespace.
        var sessions = (await Commands.RunAsync("ss", ["-Htn", "state", "established", "sport", "=", $":{_lab.GrpcPort}"])).EnsureSuccess().Stdout;
        Assert.All(_lab.Hosts, host => Assert.Contains($"{host.Address}:", sessions, StringComparison.Ordinal));
    }

    [Fact(Timeout = 120_000)]
    public async Task BridgeTask_OnALabHost_AnswersFromTheRootNamespaceAndFromTheOtherHost()
    {
        var token = TestContext.Current.CancellationToken;
        (await _lab.OrchAsync("taskdef", "register", "--file", Programs.Example("httpd.json"))).EnsureSuccess();
        var task = Assert.Single((await _lab.OrchJsonAsync<TasksResponse>("task", "run", "--cluster", _lab.ClusterName, "--task-definition", "httpd", "--wait")).Tasks);
        try
        {
            var host = await _lab.HostOfAsync(task);
            var other = _lab.Hosts.Single(h => h != host);
            var container = Assert.Single(task.Containers);
            Assert.True((await host.Docker.Containers.InspectContainerAsync(container.RuntimeId!, token)).State!.Running);
            var port = container.NetworkBindings.First(b => b.BindIP == "0.0.0.0").HostPort;
            var url = new Uri($"http://{host.Address}:{port}/");

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            Assert.Contains("Hello from an orchestrated task", await http.GetStringAsync(url, token), StringComparison.Ordinal);
            Assert.Contains("Hello from an orchestrated task", await other.HttpGetAsync(url), StringComparison.Ordinal);
        }
        finally
        {
            (await _lab.OrchAsync("task", "stop", "--cluster", _lab.ClusterName, task.TaskArn)).EnsureSuccess();
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task MacvlanContainer_HasItsOwnLabAddress_ReachableFromTheOtherHostAndTheRoot()
    {
        var token = TestContext.Current.CancellationToken;
        var (host, other) = (_lab.Hosts[0], _lab.Hosts[1]);
        await host.CreateMacvlanNetworkAsync("lab-macvlan");
        var created = await host.Docker.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = "local/busybox:1",
            Cmd = ["httpd", "-f", "-p", "80", "-h", "/www"],
            HostConfig = new HostConfig { NetworkMode = "lab-macvlan" },
        }, token);
        await host.Docker.Containers.StartContainerAsync(created.ID, new ContainerStartParameters(), token);
        try
        {
            var address = IPAddress.Parse((await host.Docker.Containers.InspectContainerAsync(created.ID, token)).NetworkSettings!.Networks["lab-macvlan"].IPAddress);
            Assert.Equal(_lab.Network.Address(64 + (16 * (host.Index - 1))).GetAddressBytes()[..3], address.GetAddressBytes()[..3]);

            var url = new Uri($"http://{address}/");
            // httpd listens a moment after the container starts: until then the address refuses connections.
            await Eventually.Async(async () => Assert.Contains("Hello from a task", await other.HttpGetAsync(url), StringComparison.Ordinal), TimeSpan.FromSeconds(15));
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            Assert.Contains("Hello from a task", await http.GetStringAsync(url, token), StringComparison.Ordinal);
        }
        finally
        {
            await host.Docker.Containers.RemoveContainerAsync(created.ID, new ContainerRemoveParameters { Force = true }, token);
            await host.Docker.Networks.DeleteNetworkAsync("lab-macvlan", token);
        }
    }
}
