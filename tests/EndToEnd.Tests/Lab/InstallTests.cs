using System.Diagnostics;
using Orchestrator.Ecs.Model;
using Orchestrator.Lab;

namespace Orchestrator.EndToEnd.Tests.Lab;

/// <summary>
/// deploy/install.sh agent as a new user runs it, on a lab host with no agent: it joins the host with a fresh
/// activation, a task runs there, a second run keeps the one instance, --upgrade keeps five running tasks' containers,
/// and --uninstall leaves it INACTIVE.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class InstallTests
{
    [Fact(Timeout = 300_000)]
    public async Task InstallSh_JoinsAHost_RunsATask_IsSafeToRunTwice_AndUninstallDeregisters()
    {
        var output = TestContext.Current.TestOutputHelper!;
        await using var lab = await LabCluster.StartAsync(new LabOptions { Hosts = 1, StartAgents = false });
        var host = lab.Hosts[0];
        var activation = await lab.OrchJsonAsync("activation", "create", "--cluster", lab.ClusterName, "--max-registrations", "1", "--expires", "1h");
        var secrets = new Dictionary<string, string>
        {
            ["ORCH_ACTIVATION_ID"] = activation.GetProperty("activationId").GetString()!,
            ["ORCH_ACTIVATION_CODE"] = activation.GetProperty("activationCode").GetString()!,
        };

        // No Docker where it is told to look: a clear refusal, before anything is installed.
        var noDocker = await RunInstallShAsync(host,
            ["agent", "--no-systemd", "--prefix", host.InstallPrefix, "--from", Path.GetDirectoryName(Programs.Agent)!, "--endpoint", lab.Endpoint,
             "--ca-file", Path.Combine(lab.ControlPlaneDataDir, "pki", "ca.crt"), "--docker-host", "unix://" + Path.Combine(host.Directory, "no-docker.sock")],
            secrets);
        Assert.Equal(1, noDocker.ExitCode);
        Assert.Contains("No Docker engine answers", noDocker.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(host.InstallPrefix, "etc", "orch", "agent.env")));

        // A wrong code first: install.sh fails with the agent's reason, and leaves nothing that stops a correct run.
        var refused = await InstallAsync(lab, host, new Dictionary<string, string>
        {
            ["ORCH_ACTIVATION_ID"] = secrets["ORCH_ACTIVATION_ID"],
            ["ORCH_ACTIVATION_CODE"] = "not-the-code",
        });
        Assert.False(refused.Succeeded, $"install.sh with a wrong activation code succeeded:\n{refused.Stdout}");
        Assert.Contains("exited without registering", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("refused activation", refused.Stderr, StringComparison.Ordinal);
        Assert.Empty(await lab.InstancesAsync());

        var started = Stopwatch.StartNew();
        var install = await InstallAsync(lab, host, secrets);
        Assert.True(install.Succeeded, $"install.sh failed:\n{install.Stdout}\n{install.Stderr}");
        var instance = await ActiveAndConnectedAsync(lab, host);
        var joinTime = started.Elapsed;
        output.WriteLine($"install.sh to instance ACTIVE and connected: {joinTime.TotalSeconds:0.0} s");
        output.WriteLine(install.Stdout);
        Assert.Contains($"Registered as {instance.ContainerInstanceArn}", install.Stdout, StringComparison.Ordinal);
        var envFile = Path.Combine(host.InstallPrefix, "etc", "orch", "agent.env");
        if (OperatingSystem.IsLinux())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(envFile));
        }

        Assert.DoesNotContain(secrets["ORCH_ACTIVATION_CODE"], install.Stdout + install.Stderr, StringComparison.Ordinal);
        var agentPid = (await File.ReadAllTextAsync(host.InstalledAgentPidFile, TestContext.Current.CancellationToken)).Trim();
        var commandLine = (await File.ReadAllTextAsync($"/proc/{agentPid}/cmdline", TestContext.Current.CancellationToken)).Replace('\0', ' ');
        Assert.Contains("Agent.dll", commandLine, StringComparison.Ordinal);
        Assert.DoesNotContain(secrets["ORCH_ACTIVATION_CODE"], commandLine, StringComparison.Ordinal);

        (await lab.OrchAsync("taskdef", "register", "--file", Programs.Example("httpd.json"))).EnsureSuccess();
        var task = Assert.Single((await lab.OrchJsonAsync<TasksResponse>("task", "run", "--cluster", lab.ClusterName, "--task-definition", "httpd", "--wait")).Tasks);
        Assert.Equal(instance.ContainerInstanceArn, task.ContainerInstanceArn);
        Assert.Equal("RUNNING", task.LastStatus);
        (await lab.OrchAsync("task", "stop", "--cluster", lab.ClusterName, task.TaskArn)).EnsureSuccess();

        // Again, without the activation (used up anyway): the host keeps its identity and its one instance.
        var firstPid = await File.ReadAllTextAsync(host.InstalledAgentPidFile, TestContext.Current.CancellationToken);
        var again = await InstallAsync(lab, host, new Dictionary<string, string>());
        Assert.True(again.Succeeded, $"the second install.sh failed:\n{again.Stdout}\n{again.Stderr}");
        Assert.Contains($"Registered as {instance.ContainerInstanceArn}", again.Stdout, StringComparison.Ordinal);
        Assert.Contains("kept its identity", again.Stdout, StringComparison.Ordinal);
        Assert.NotEqual(firstPid, await File.ReadAllTextAsync(host.InstalledAgentPidFile, TestContext.Current.CancellationToken));
        Assert.DoesNotContain("ORCH_ACTIVATION_CODE", await File.ReadAllTextAsync(envFile, TestContext.Current.CancellationToken), StringComparison.Ordinal);
        var second = await ActiveAndConnectedAsync(lab, host);
        Assert.Equal(instance.ContainerInstanceArn, second.ContainerInstanceArn);
        Assert.Single(await lab.InstancesAsync());

        // --upgrade with 5 running tasks: the program is replaced, and the new agent adopts every container as it is.
        var sleeper = Path.Combine(host.Directory, "sleeper.json");
        await File.WriteAllTextAsync(sleeper, """
            {"family":"sleeper","containerDefinitions":[{"name":"app","image":"local/busybox:1","memory":16,"command":["sleep","3600"]}]}
            """, TestContext.Current.CancellationToken);
        (await lab.OrchAsync("taskdef", "register", "--file", sleeper)).EnsureSuccess();
        var running = (await lab.OrchJsonAsync<TasksResponse>("task", "run", "--cluster", lab.ClusterName, "--task-definition", "sleeper", "--count", "5", "--wait")).Tasks;
        Assert.Equal(5, running.Count);
        var before = (await lab.OrchJsonAsync<TasksResponse>(["task", "describe", "--cluster", lab.ClusterName, .. running.Select(t => t.TaskArn)])).Tasks
            .ToDictionary(t => t.TaskArn, t => (t.Containers[0].RuntimeId, t.StartedAt));
        var pidBeforeUpgrade = await File.ReadAllTextAsync(host.InstalledAgentPidFile, TestContext.Current.CancellationToken);
        var upgrade = await RunInstallShAsync(host, ["agent", "--no-systemd", "--prefix", host.InstallPrefix, "--from", Path.GetDirectoryName(Programs.Agent)!, "--upgrade"],
            new Dictionary<string, string>());
        Assert.True(upgrade.Succeeded, $"install.sh --upgrade failed:\n{upgrade.Stdout}\n{upgrade.Stderr}");
        Assert.Contains("Upgraded the agent in place", upgrade.Stdout, StringComparison.Ordinal);
        Assert.NotEqual(pidBeforeUpgrade, await File.ReadAllTextAsync(host.InstalledAgentPidFile, TestContext.Current.CancellationToken));
        Assert.Equal(instance.ContainerInstanceArn, (await ActiveAndConnectedAsync(lab, host)).ContainerInstanceArn);
        await Eventually.Async(async () =>
        {
            var after = (await lab.OrchJsonAsync<TasksResponse>(["task", "describe", "--cluster", lab.ClusterName, .. before.Keys])).Tasks;
            Assert.All(after, t =>
            {
                Assert.Equal("RUNNING", t.LastStatus);
                Assert.Equal(before[t.TaskArn], (t.Containers[0].RuntimeId, t.StartedAt));
            });
        }, TimeSpan.FromSeconds(30), lab.Diagnostics);
        var notJoined = await RunInstallShAsync(host, ["agent", "--no-systemd", "--prefix", Path.Combine(host.Directory, "elsewhere"), "--from", Path.GetDirectoryName(Programs.Agent)!,
            "--endpoint", lab.Endpoint, "--upgrade"], new Dictionary<string, string>());
        Assert.Equal(2, notJoined.ExitCode);
        Assert.Contains("Nothing to upgrade", notJoined.Stderr, StringComparison.Ordinal);
        foreach (var arn in before.Keys)
        {
            (await lab.OrchAsync("task", "stop", "--cluster", lab.ClusterName, arn)).EnsureSuccess();
        }

        var pid = int.Parse(await File.ReadAllTextAsync(host.InstalledAgentPidFile, TestContext.Current.CancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        var uninstall = await RunInstallShAsync(host, ["agent", "--no-systemd", "--prefix", host.InstallPrefix, "--uninstall"], new Dictionary<string, string>());
        Assert.True(uninstall.Succeeded, $"install.sh --uninstall failed:\n{uninstall.Stdout}\n{uninstall.Stderr}");
        output.WriteLine(uninstall.Stdout);
        Assert.False(Directory.Exists($"/proc/{pid}"), $"the agent {pid} still runs after --uninstall");
        var described = await lab.OrchJsonAsync<DescribeContainerInstancesResponse>("instance", "describe", "--cluster", lab.ClusterName, instance.ContainerInstanceArn);
        Assert.Equal(ContainerInstanceStatus.Inactive, Assert.Single(described.ContainerInstances).Status);
        Assert.Empty(await lab.InstancesAsync());
        Assert.False(File.Exists(envFile));
        Assert.False(Directory.Exists(Path.Combine(host.InstallPrefix, "var", "lib", "orch-agent")), "the agent's data dir (its private key) is left behind");
        Assert.False(Directory.Exists(Path.Combine(host.InstallPrefix, "bin", "agent")));
    }

    private static Task<CommandResult> InstallAsync(LabCluster lab, LabHost host, IReadOnlyDictionary<string, string> environment) =>
        RunInstallShAsync(host,
        [
            "agent", "--no-systemd", "--prefix", host.InstallPrefix,
            "--from", Path.GetDirectoryName(Programs.Agent)!,
            "--endpoint", lab.Endpoint, "--cluster", lab.ClusterName,
            "--ca-file", Path.Combine(lab.ControlPlaneDataDir, "pki", "ca.crt"),
            "--docker-host", host.DockerHost.ToString(),
            "--attributes", $"{LabHost.HostAttribute}={host.Name}",
        ], environment);

    /// <summary>install.sh inside the host's network namespace, the activation (if any) in its environment, never on its command line.</summary>
    private static Task<CommandResult> RunInstallShAsync(LabHost host, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment) =>
        Commands.RunAsync("nsenter", [$"--net={host.Namespace.Path}", "--", "bash", Path.Combine(Programs.RepositoryRoot, "deploy", "install.sh"), .. arguments],
            TimeSpan.FromSeconds(120), environment);

    private static async Task<ContainerInstance> ActiveAndConnectedAsync(LabCluster lab, LabHost host)
    {
        ContainerInstance? found = null;
        await Eventually.Async(async () =>
        {
            found = await lab.InstanceAsync(host);
            Assert.Equal(ContainerInstanceStatus.Active, found.Status);
            Assert.True(found.AgentConnected, $"{host}: the agent is not connected yet");
        }, TimeSpan.FromSeconds(60), lab.Diagnostics, TimeSpan.FromMilliseconds(250));
        return found!;
    }
}
