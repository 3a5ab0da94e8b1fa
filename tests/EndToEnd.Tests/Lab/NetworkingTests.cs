using System.Globalization;
using System.Net;
using System.Text.Json;
using Orchestrator.Ecs.Json;
using Orchestrator.Ecs.Model;
using Orchestrator.Lab;

namespace Orchestrator.EndToEnd.Tests.Lab;

/// <summary>
/// The network modes on two lab hosts, as a user sees them: bridge tasks' dynamic ports answer from the other host,
/// host-mode tasks on the host's address, awsvpc tasks on different hosts reach each other by their own addresses,
/// none tasks have only loopback, containers start in dependsOn order, and a stopped task's port and address are
/// given out again. Every test stops what it starts and waits until it is STOPPED, so the next finds the lab as it was.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class NetworkingTests(NetworkingLab fixture) : IClassFixture<NetworkingLab>
{
    private static readonly TimeSpan StopWait = TimeSpan.FromSeconds(60);
    private readonly LabCluster _lab = fixture.Lab;

    [Fact(Timeout = 180_000)]
    public async Task BridgeTask_DynamicPortFromTheAgentsRange_AnswersFromTheOtherHost()
    {
        var token = TestContext.Current.CancellationToken;
        var task = await RunOneAsync("net-bridge", token);
        try
        {
            var host = await _lab.HostOfAsync(task);
            var other = _lab.Hosts.Single(h => h != host);
            var port = task.Containers[0].NetworkBindings.First(b => b.BindIP == "0.0.0.0").HostPort!.Value;
            Assert.InRange(port, NetworkingLab.FirstDynamicPort, NetworkingLab.LastDynamicPort);

            var body = await other.HttpGetAsync(new Uri($"http://{host.Address}:{port}/"));

            Assert.Contains("Hello from", body, StringComparison.Ordinal);
            var instance = await _lab.InstanceAsync(host);
            Assert.Contains(port.ToString(CultureInfo.InvariantCulture), instance.RemainingResources.Single(r => r.Name == ResourceNames.Ports).StringSetValue!);
            Assert.Equal(1, instance.RemainingResources.Single(r => r.Name == ResourceNames.DynamicPorts).IntegerValue);
        }
        finally
        {
            await StopAsync(task);
        }
    }

    [Fact(Timeout = 180_000)]
    public async Task HostModeTask_AnswersOnTheHostsAddress()
    {
        var token = TestContext.Current.CancellationToken;
        var task = await RunOneAsync("net-host", token);
        try
        {
            var host = await _lab.HostOfAsync(task);
            var other = _lab.Hosts.Single(h => h != host);
            var url = new Uri($"http://{host.Address}:{NetworkingLab.HostModePort}/");

            Assert.Contains("Hello from", await other.HttpGetAsync(url), StringComparison.Ordinal);
            var binding = Assert.Single(task.Containers[0].NetworkBindings);
            Assert.Equal((NetworkingLab.HostModePort, NetworkingLab.HostModePort), (binding.HostPort, binding.ContainerPort));
            var listening = (await host.ExecAsync("ss", "-Htln", $"sport = :{NetworkingLab.HostModePort}")).EnsureSuccess().Stdout;
            Assert.Contains($":{NetworkingLab.HostModePort}", listening, StringComparison.Ordinal); // in the host's own namespace
        }
        finally
        {
            await StopAsync(task);
        }
    }

    [Fact(Timeout = 240_000)]
    public async Task AwsvpcTasks_OnDifferentHosts_ReachEachOtherByTheirOwnAddresses()
    {
        var token = TestContext.Current.CancellationToken;
        token.ThrowIfCancellationRequested();
        var tasks = (await _lab.OrchJsonAsync<TasksResponse>(
            "task", "run", "--cluster", _lab.ClusterName, "--task-definition", "net-awsvpc", "--count", "2",
            "--placement-constraint", "type=distinctInstance", "--subnets", NetworkingLab.Subnet, "--wait", "--timeout", "120s")).Tasks;
        try
        {
            Assert.Equal(2, tasks.Count);
            var described = await DescribeAsync(tasks);
            var (a, b) = (described[0], described[1]);
            var (hostA, hostB) = (await _lab.HostOfAsync(a), await _lab.HostOfAsync(b));
            Assert.NotEqual(hostA, hostB);
            var (ipA, ipB) = (AddressOf(a), AddressOf(b));
            Assert.All(new[] { ipA, ipB }, ip => Assert.InRange(ip.GetAddressBytes()[3], 128, 135));
            Assert.Equal(_lab.Network.Gateway.GetAddressBytes()[..3], ipA.GetAddressBytes()[..3]);
            foreach (var task in described)
            {
                var attachment = Assert.Single(task.Attachments!);
                Assert.Equal((Attachment.NetworkInterfaceType, AttachmentStatus.Attached, NetworkingLab.Subnet),
                    (attachment.Type, attachment.Status, attachment.Detail(AttachmentDetails.SubnetId)));
                Assert.Matches("^([0-9a-f]{2}:){5}[0-9a-f]{2}$", attachment.Detail(AttachmentDetails.MacAddress));
                var container = Assert.Single(task.Containers);
                Assert.Equal(attachment.Detail(AttachmentDetails.PrivateIpv4Address), Assert.Single(container.NetworkInterfaces!).PrivateIpv4Address);
                Assert.Empty(container.NetworkBindings); // nothing published on the host: the task has its own address
            }

            // Task to task, each from inside its own network namespace.
            Assert.Contains("Hello from", await FetchFromContainerAsync(hostA, a, ipB), StringComparison.Ordinal);
            Assert.Contains("Hello from", await FetchFromContainerAsync(hostB, b, ipA), StringComparison.Ordinal);
            // And from the root namespace, which is on the same wire.
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            Assert.Contains("Hello from", await http.GetStringAsync(new Uri($"http://{ipA}/"), token), StringComparison.Ordinal);
        }
        finally
        {
            await StopAsync([.. tasks]);
        }
    }

    [Fact(Timeout = 180_000)]
    public async Task NoneTask_HasNoInterfaceButLoopback()
    {
        var token = TestContext.Current.CancellationToken;
        var task = await RunOneAsync("net-none", token);
        try
        {
            var host = await _lab.HostOfAsync(task);

            token.ThrowIfCancellationRequested();
            var devices = (await host.DockerAsync("exec", task.Containers[0].RuntimeId!, "cat", "/proc/net/dev")).EnsureSuccess().Stdout;

            var interfaces = devices.Split('\n').Skip(2).Where(l => l.Contains(':', StringComparison.Ordinal)).Select(l => l.Split(':')[0].Trim()).ToList();
            Assert.Equal(["lo"], interfaces);
        }
        finally
        {
            await StopAsync(task);
        }
    }

    [Fact(Timeout = 180_000)]
    public async Task DependsOn_AppStartsAfterInitSucceededAndDbIsHealthy_AndStopsBeforeDb()
    {
        var token = TestContext.Current.CancellationToken;
        var task = await RunOneAsync("net-ordered", token);
        var host = await _lab.HostOfAsync(task);
        var ids = task.Containers.ToDictionary(c => c.Name, c => c.RuntimeId!);
        await StopAsync(task);

        var init = await host.Docker.Containers.InspectContainerAsync(ids["init"], token);
        var db = await host.Docker.Containers.InspectContainerAsync(ids["db"], token);
        var app = await host.Docker.Containers.InspectContainerAsync(ids["app"], token);
        var appStarted = Time(app.State!.StartedAt);
        Assert.Equal(0, init.State!.ExitCode);
        Assert.True(Time(init.State.FinishedAt) <= appStarted, "app started before init had exited");
        var firstHealthy = db.State!.Health!.Log.Where(l => l.ExitCode == 0).Min(l => l.End);
        Assert.True(firstHealthy <= appStarted.UtcDateTime, $"app started at {appStarted:O}, before db's first passing health check ({firstHealthy:O})");
        Assert.True(Time(app.State.FinishedAt) <= Time(db.State.FinishedAt), "db stopped before app");
    }

    [Fact(Timeout = 300_000)]
    public async Task StoppedTasks_PortAndAddress_AreGivenOutAgain()
    {
        var token = TestContext.Current.CancellationToken;
        var h1 = _lab.Hosts[0];
        string[] onH1 = ["--placement-constraint", $"type=memberOf,expression=attribute:{LabHost.HostAttribute} == {h1.Name}"];

        // The host's two dynamic ports: taken by two tasks, the third cannot be placed.
        var first = await RunOneAsync("net-bridge", token, onH1);
        var second = await RunOneAsync("net-bridge", token, onH1);
        token.ThrowIfCancellationRequested();
        var refused = await _lab.OrchAsync(["task", "run", "--cluster", _lab.ClusterName, "--task-definition", "net-bridge", .. onH1, "--output", "json"]);
        var portOfFirst = PortOf(first);
        try
        {
            Assert.Equal([NetworkingLab.FirstDynamicPort, NetworkingLab.LastDynamicPort], new[] { portOfFirst, PortOf(second) }.Order());
            Assert.Equal(1, refused.ExitCode);
            var h1Arn = (await _lab.InstanceAsync(h1)).ContainerInstanceArn;
            var failure = Assert.Single(EcsJson.Deserialize<TasksResponse>(refused.Stdout).Failures, f => f.Arn == h1Arn);
            Assert.Equal("RESOURCE:PORTS", failure.Reason);
            Assert.Contains("dynamic TCP host port", failure.Detail, StringComparison.Ordinal);

            await StopAsync(first);
            var third = await RunOneAsync("net-bridge", token, onH1);
            await StopAsync(third);
            Assert.Equal(portOfFirst, PortOf(third));
        }
        finally
        {
            await StopAsync(first, second);
        }

        // An awsvpc task's address: free once it is STOPPED, and the next task gets it.
        var awsvpc = await RunOneAsync("net-awsvpc", token);
        await StopAsync(awsvpc);
        var next = await RunOneAsync("net-awsvpc", token);
        await StopAsync(next);
        Assert.Equal(AddressOf(awsvpc), AddressOf(next));
    }

    private async Task<EcsTask> RunOneAsync(string family, CancellationToken cancellationToken, params string[] options)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var response = await _lab.OrchJsonAsync<TasksResponse>(
            ["task", "run", "--cluster", _lab.ClusterName, "--task-definition", family, "--wait", "--timeout", "120s", .. options]);
        return Assert.Single(response.Tasks);
    }

    private async Task<IReadOnlyList<EcsTask>> DescribeAsync(IEnumerable<EcsTask> tasks) =>
        (await _lab.OrchJsonAsync<TasksResponse>(["task", "describe", "--cluster", _lab.ClusterName, .. tasks.Select(t => t.TaskArn)])).Tasks;

    /// <summary>Stops the tasks and waits until the control plane has them STOPPED (their ports and addresses free again).</summary>
    private async Task StopAsync(params EcsTask[] tasks)
    {
        foreach (var task in tasks)
        {
            await _lab.OrchAsync("task", "stop", "--cluster", _lab.ClusterName, task.TaskArn);
        }

        await Eventually.Async(async () =>
        {
            var described = await DescribeAsync(tasks);
            Assert.All(described, t => Assert.Equal("STOPPED", t.LastStatus));
        }, StopWait, _lab.Diagnostics, TimeSpan.FromMilliseconds(500));
    }

    /// <summary>GET / of <paramref name="address"/> with busybox nc, from inside the task's container (its network namespace).</summary>
    private static async Task<string> FetchFromContainerAsync(LabHost host, EcsTask task, IPAddress address) =>
        (await host.DockerAsync("exec", task.Containers[0].RuntimeId!, "sh", "-c", $"printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 5 {address} 80"))
            .EnsureSuccess().Stdout;

    private static IPAddress AddressOf(EcsTask task) =>
        IPAddress.Parse(Assert.Single(task.Attachments!).Detail(AttachmentDetails.PrivateIpv4Address)!);

    private static int PortOf(EcsTask task) => task.Containers[0].NetworkBindings.First(b => b.BindIP == "0.0.0.0").HostPort!.Value;

    private static DateTimeOffset Time(string? value) => DateTimeOffset.Parse(value!, CultureInfo.InvariantCulture);
}
