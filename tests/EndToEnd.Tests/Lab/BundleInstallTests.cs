using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.RegularExpressions;
using Docker.DotNet;
using Orchestrator.Ecs.Model;
using Orchestrator.Lab;

namespace Orchestrator.EndToEnd.Tests.Lab;

/// <summary>
/// The offline bundle as a new user takes it: unpacked, its install.sh joins a lab host that has no route out (no
/// default route, so no DNS and no registry either) to a running secure control plane with a fresh activation, and
/// a task runs there on the image the bundle brought; install.sh controlplane installs, starts and answers, printing
/// the admin key once.
/// </summary>
[Collection(LabCollection.Name)]
public sealed partial class BundleInstallTests(OfflineBundle bundle) : IClassFixture<OfflineBundle>
{
    [Fact(Timeout = 600_000)]
    public async Task Bundle_InstallsOnAHostWithNoRouteOut_JoinsWithAFreshActivation_AndRunsATaskOnTheBundledImage()
    {
        var output = TestContext.Current.TestOutputHelper!;
        output.WriteLine($"bundle: {bundle.Archive} ({new FileInfo(bundle.Archive).Length / 1024 / 1024} MiB packed), bundle.sh linux-x64 took {bundle.BuildTime.TotalSeconds:0} s");
        await using var lab = await LabCluster.StartAsync(new LabOptions { Hosts = 1, StartAgents = false, NoDefaultRoute = true, Images = [] });
        var host = lab.Hosts[0];

        // Offline for real: no route to any outside address (asked of the routing table; no packet is sent).
        var route = await InHostAsync(host, "ip", ["route", "get", "1.1.1.1"]);
        Assert.False(route.Succeeded, $"the host has a route out: {route.Stdout}");
        Assert.Contains("unreachable", route.Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.Empty((await InHostAsync(host, "ip", ["-4", "route", "show", "default"])).Stdout.Trim());
        // And its Docker has no image at all: whatever runs comes from the bundle.
        Assert.Empty(await host.Docker.Images.ListImagesAsync(new(), TestContext.Current.CancellationToken));

        // What a user copies from orch activation create.
        var created = await lab.OrchAsync("activation", "create", "--cluster", lab.ClusterName, "--max-registrations", "1", "--expires", "1h");
        created.EnsureSuccess();
        var join = JoinLine().Match(created.Stdout + created.Stderr);
        Assert.True(join.Success, $"orch activation create printed no join line:\n{created.Stdout}\n{created.Stderr}");
        var secrets = new Dictionary<string, string>
        {
            ["ORCH_ACTIVATION_ID"] = join.Groups["id"].Value,
            ["ORCH_ACTIVATION_CODE"] = join.Groups["code"].Value,
        };
        string[] arguments =
        [
            "agent", "--no-systemd", "--prefix", host.InstallPrefix, "--endpoint", lab.Endpoint, "--cluster", lab.ClusterName,
            "--ca-fingerprint", join.Groups["fingerprint"].Value, "--docker-host", host.DockerHost.ToString(),
            "--attributes", $"{LabHost.HostAttribute}={host.Name}",
        ];

        // A bundle that does not match its SHA256SUMS installs nothing.
        var example = Path.Combine(bundle.Directory, "examples", "httpd.json");
        var original = await File.ReadAllBytesAsync(example, TestContext.Current.CancellationToken);
        await File.AppendAllTextAsync(example, " ", TestContext.Current.CancellationToken);
        var tampered = await InstallShAsync(host, arguments, secrets);
        await File.WriteAllBytesAsync(example, original, TestContext.Current.CancellationToken);
        Assert.Equal(1, tampered.ExitCode);
        Assert.Contains("does not match its SHA256SUMS", tampered.Stderr, StringComparison.Ordinal);
        Assert.Contains("examples/httpd.json", tampered.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(host.InstallPrefix, "bin", "agent")));

        // install.sh run from inside the unpacked bundle: no --from, no --from-bundle.
        var joining = System.Diagnostics.Stopwatch.StartNew();
        var install = await InstallShAsync(host, arguments, secrets);
        Assert.True(install.Succeeded, $"install.sh from the bundle failed:\n{install.Stdout}\n{install.Stderr}");
        output.WriteLine(install.Stdout);
        Assert.Contains("Checked the bundle", install.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(secrets["ORCH_ACTIVATION_CODE"], install.Stdout + install.Stderr, StringComparison.Ordinal);

        // The images came from the bundle's archives: busybox, and the pause image under the tag the agent looks for.
        var pause = $"orch/pause:{Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(bundle.Directory, "bin", "linux-x64", "agent", "pause", "pause"), TestContext.Current.CancellationToken)))[..12]}";
        foreach (var image in new[] { "local/busybox:1", pause })
        {
            try
            {
                await host.Docker.Images.InspectImageAsync(image, TestContext.Current.CancellationToken);
            }
            catch (DockerImageNotFoundException)
            {
                Assert.Fail($"{image} is not in the host's Docker after install.sh from the bundle");
            }
        }

        // The self-contained agent (no dotnet on its command line) joined with the fresh activation.
        var agentPid = (await File.ReadAllTextAsync(host.InstalledAgentPidFile, TestContext.Current.CancellationToken)).Trim();
        var commandLine = (await File.ReadAllTextAsync($"/proc/{agentPid}/cmdline", TestContext.Current.CancellationToken)).Split('\0')[0];
        Assert.Equal(Path.Combine(host.InstallPrefix, "bin", "agent", "Agent"), commandLine);
        ContainerInstance? found = null;
        await Eventually.Async(async () =>
        {
            found = await lab.InstanceAsync(host);
            Assert.Equal(ContainerInstanceStatus.Active, found.Status);
            Assert.True(found.AgentConnected, $"{host}: the agent is not connected yet");
        }, TimeSpan.FromSeconds(60), lab.Diagnostics, TimeSpan.FromMilliseconds(250));
        var instance = found!;
        output.WriteLine($"install.sh from the bundle (sums checked, images loaded) to instance ACTIVE and connected: {joining.Elapsed.TotalSeconds:0.0} s");
        Assert.Contains($"Registered as {instance.ContainerInstanceArn}", install.Stdout, StringComparison.Ordinal);

        var sleeper = Path.Combine(host.Directory, "sleeper.json");
        await File.WriteAllTextAsync(sleeper, """
            {"family":"offline","containerDefinitions":[{"name":"app","image":"local/busybox:1","memory":16,"command":["sleep","3600"]}]}
            """, TestContext.Current.CancellationToken);
        (await lab.OrchAsync("taskdef", "register", "--file", sleeper)).EnsureSuccess();
        var task = Assert.Single((await lab.OrchJsonAsync<TasksResponse>("task", "run", "--cluster", lab.ClusterName, "--task-definition", "offline", "--wait")).Tasks);
        Assert.Equal(instance.ContainerInstanceArn, task.ContainerInstanceArn);
        Assert.Equal("RUNNING", task.LastStatus);
        var container = await host.Docker.Containers.InspectContainerAsync(task.Containers[0].RuntimeId!, TestContext.Current.CancellationToken);
        Assert.True(container.State?.Running, $"the task's container is not running: {container.State?.Status}");
        (await lab.OrchAsync("task", "stop", "--cluster", lab.ClusterName, task.TaskArn)).EnsureSuccess();
    }

    /// <summary>
    /// The bundle's orch is one native executable (no JIT, no .NET files beside it). Every answer it reads and writes goes
    /// through generated JSON metadata; each command here must print exactly what the JIT build of orch prints.
    /// </summary>
    private static async Task NativeOrch_WritesWhatTheJitBuildWrites(string orch, Dictionary<string, string> environment)
    {
        Assert.Equal([orch], Directory.GetFiles(Path.GetDirectoryName(orch)!));
        Assert.Equal(new byte[] { 0x7F, (byte)'E', (byte)'L', (byte)'F' }, (await File.ReadAllBytesAsync(orch, TestContext.Current.CancellationToken))[..4]);

        var definition = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(orch)!)!, "..", "native-orch-web.json");
        await File.WriteAllTextAsync(definition, """
            { "family": "native-orch-web", "networkMode": "bridge", "tags": [{ "key": "team", "value": "web" }],
              "containerDefinitions": [{ "name": "web", "image": "local/busybox:1", "memory": 32, "essential": true,
                "command": ["httpd", "-f", "-p", "80"], "portMappings": [{ "containerPort": 80, "hostPort": 0 }],
                "environment": [{ "name": "MODE", "value": "test" }],
                "healthCheck": { "command": ["CMD-SHELL", "true"], "interval": 5, "retries": 2 } }] }
            """, TestContext.Current.CancellationToken);
        string[][] writes =
        [
            ["taskdef", "register", "--file", definition],
            ["service", "create", "native-web", "--cluster", "installed", "--task-definition", "native-orch-web", "--desired-count", "0"],
            ["secret", "create", "native-secret", "--value", "s3cret-value"],
            ["role", "create", "native-role", "--policy-document", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecs:List*","Resource":"*"}]}"""],
            ["lb", "target-group", "create", "native-tg", "--health-path", "/"],
        ];
        foreach (var write in writes)
        {
            var wrote = await Commands.RunAsync(orch, write, TimeSpan.FromSeconds(30), environment);
            Assert.True(wrote.Succeeded, $"native orch {string.Join(' ', write)}:\n{wrote.Stdout}\n{wrote.Stderr}");
        }

        string[][] reads =
        [
            ["cluster", "list"], ["cluster", "list", "--output", "json"],
            ["taskdef", "list", "--output", "json"], ["taskdef", "describe", "native-orch-web"], ["taskdef", "describe", "native-orch-web", "--output", "json"],
            ["service", "list", "--cluster", "installed"], ["service", "describe", "native-web", "--cluster", "installed", "--output", "json"],
            ["service", "events", "native-web", "--cluster", "installed", "--output", "json"],
            ["task", "list", "--cluster", "installed", "--output", "json"], ["instance", "list", "--cluster", "installed", "--output", "json"],
            ["secret", "list", "--output", "json"], ["role", "get", "native-role", "--output", "json"],
            ["lb", "target-group", "list", "--output", "json"], ["lb", "target-group", "describe", "native-tg", "--output", "json"],
            ["capacity", "list", "--output", "json"], ["activation", "list", "--output", "json"], ["schedule", "list", "--output", "json"],
            ["task", "run", "--cluster", "installed", "--task-definition", "no-such-family"],
        ];
        foreach (var read in reads)
        {
            var native = await Commands.RunAsync(orch, read, TimeSpan.FromSeconds(30), environment);
            var jit = await Commands.RunAsync("dotnet", [Programs.Cli, .. read], TimeSpan.FromSeconds(60), environment);
            var what = string.Join(' ', read);
            Assert.True(native.ExitCode == jit.ExitCode, $"orch {what}: native exit {native.ExitCode}, JIT exit {jit.ExitCode}\n{native.Stderr}\n{jit.Stderr}");
            Assert.True(native.Stdout == jit.Stdout, $"orch {what}: native printed\n{native.Stdout}\nJIT printed\n{jit.Stdout}");
            Assert.True(native.Stderr == jit.Stderr, $"orch {what}: native error\n{native.Stderr}\nJIT error\n{jit.Stderr}");
        }
    }

    [Fact(Timeout = 300_000)]
    public async Task InstallShControlPlane_StartsAndAnswers_PrintsTheAdminKeyOnce_AndIsSafeToRunTwice()
    {
        var output = TestContext.Current.TestOutputHelper!;
        var prefix = Directory.CreateTempSubdirectory("orch-cp-install-");
        var pidFile = Path.Combine(prefix.FullName, "run", "orch-controlplane.pid");
        try
        {
            var dataDir = Path.Combine(prefix.FullName, "data");
            var grpcPort = FreePort();
            string[] arguments =
            [
                "controlplane", "--no-systemd", "--prefix", prefix.FullName, "--data-dir", dataDir, "--tls-san", "orch-cp.example,10.1.2.3",
                "--listen", "127.0.0.1", "--grpc-port", grpcPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--http-port", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ];
            var installing = System.Diagnostics.Stopwatch.StartNew();
            var first = await Commands.RunAsync("bash", [bundle.InstallSh, .. arguments], TimeSpan.FromSeconds(120));
            output.WriteLine($"install.sh controlplane (first install, to answering orch): {installing.Elapsed.TotalSeconds:0.0} s");
            Assert.True(first.Succeeded, $"install.sh controlplane failed:\n{first.Stdout}\n{first.Stderr}");
            output.WriteLine(SecretLine().Replace(first.Stdout, "ORCH_SECRET_ACCESS_KEY=(hidden)"));

            // The printed key is the one in the printed orch configuration, which is owner-only.
            var config = Regex.Match(first.Stdout, @"orch config \(.*\): (?<path>\S+)").Groups["path"].Value;
            Assert.Equal(Path.Combine(dataDir, "orch-admin.json"), config);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(config));
            }

            using var admin = JsonDocument.Parse(await File.ReadAllTextAsync(config, TestContext.Current.CancellationToken));
            var secret = admin.RootElement.GetProperty("secretAccessKey").GetString()!;
            Assert.Contains($"ORCH_ACCESS_KEY_ID={admin.RootElement.GetProperty("accessKeyId").GetString()}", first.Stdout, StringComparison.Ordinal);
            Assert.Contains($"ORCH_SECRET_ACCESS_KEY={secret}", first.Stdout, StringComparison.Ordinal);
            var log = Path.Combine(prefix.FullName, "log", "orch-controlplane.log");
            Assert.DoesNotContain(secret, await File.ReadAllTextAsync(log, TestContext.Current.CancellationToken), StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(prefix.FullName, "etc", "orch", "controlplane.env")));
            var names = await ServerNamesAsync(grpcPort);
            Assert.Contains("orch-cp.example", names);
            Assert.Contains("10.1.2.3", names);

            // The installed orch, with that configuration, talks to it (TLS with the cluster CA, signed with the key).
            var orch = Path.Combine(prefix.FullName, "bin", "orch", "orch");
            var environment = new Dictionary<string, string> { ["ORCH_CONFIG"] = config };
            (await Commands.RunAsync(orch, ["cluster", "create", "installed"], TimeSpan.FromSeconds(30), environment)).EnsureSuccess();
            var listed = await Commands.RunAsync(orch, ["cluster", "list"], TimeSpan.FromSeconds(30), environment);
            listed.EnsureSuccess();
            Assert.Contains("installed", listed.Stdout, StringComparison.Ordinal);
            await NativeOrch_WritesWhatTheJitBuildWrites(orch, environment);
            var unsigned = await Commands.RunAsync(orch, ["cluster", "list"], TimeSpan.FromSeconds(30),
                new Dictionary<string, string> { ["ORCH_CONFIG"] = "/dev/null/none", ["ORCH_ENDPOINT"] = admin.RootElement.GetProperty("endpoint").GetString()! });
            Assert.False(unsigned.Succeeded, "the control plane answered a call without the admin configuration");

            // Again, with no options: the same data, CA and key; no key printed; a new process answering the same data.
            var ca = await File.ReadAllBytesAsync(Path.Combine(dataDir, "pki", "ca.crt"), TestContext.Current.CancellationToken);
            var adminBefore = await File.ReadAllTextAsync(config, TestContext.Current.CancellationToken);
            var firstPid = await File.ReadAllTextAsync(pidFile, TestContext.Current.CancellationToken);
            var second = await Commands.RunAsync("bash", [bundle.InstallSh, "controlplane", "--no-systemd", "--prefix", prefix.FullName], TimeSpan.FromSeconds(120));
            Assert.True(second.Succeeded, $"the second install.sh controlplane failed:\n{second.Stdout}\n{second.Stderr}");
            output.WriteLine(second.Stdout);
            Assert.DoesNotContain("ORCH_SECRET_ACCESS_KEY", second.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, second.Stdout + second.Stderr, StringComparison.Ordinal);
            Assert.Contains("installed before", second.Stdout, StringComparison.Ordinal);
            Assert.Equal(ca, await File.ReadAllBytesAsync(Path.Combine(dataDir, "pki", "ca.crt"), TestContext.Current.CancellationToken));
            Assert.Equal(adminBefore, await File.ReadAllTextAsync(config, TestContext.Current.CancellationToken));
            Assert.NotEqual(firstPid, await File.ReadAllTextAsync(pidFile, TestContext.Current.CancellationToken));
            Assert.Contains("orch-cp.example", await ServerNamesAsync(grpcPort));
            var again = await Commands.RunAsync(orch, ["cluster", "list"], TimeSpan.FromSeconds(30), environment);
            again.EnsureSuccess();
            Assert.Contains("installed", again.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile), out var pid))
            {
                try
                {
                    using var process = System.Diagnostics.Process.GetProcessById(pid);
                    if (process.ProcessName.Contains("ControlPlane", StringComparison.Ordinal))
                    {
                        process.Kill();
                        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
                    }
                }
                catch (ArgumentException)
                {
                    // Already gone.
                }
            }

            prefix.Delete(recursive: true);
        }
    }

    /// <summary>install.sh of the unpacked bundle, inside the host's namespace; the activation only in its environment.</summary>
    private Task<CommandResult> InstallShAsync(LabHost host, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment) =>
        Commands.RunAsync("nsenter", [$"--net={host.Namespace.Path}", "--", "bash", bundle.InstallSh, .. arguments], TimeSpan.FromSeconds(180), environment);

    private static Task<CommandResult> InHostAsync(LabHost host, string program, IEnumerable<string> arguments) =>
        Commands.RunAsync("nsenter", [$"--net={host.Namespace.Path}", "--", program, .. arguments], TimeSpan.FromSeconds(20));

    /// <summary>The DNS names and addresses in the certificate the gRPC port presents.</summary>
    private static async Task<IReadOnlyList<string>> ServerNamesAsync(int port)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port, TestContext.Current.CancellationToken);
        X509Certificate2? presented = null;
        await using var tls = new SslStream(client.GetStream(), leaveInnerStreamOpen: false, (_, certificate, _, _) =>
        {
            presented = certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            return true; // read only: no request is sent
        });
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost", ApplicationProtocols = [SslApplicationProtocol.Http2] }, TestContext.Current.CancellationToken);
        Assert.NotNull(presented);
        using (presented)
        {
            var san = presented.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
            return [.. san.EnumerateDnsNames(), .. san.EnumerateIPAddresses().Select(a => a.ToString())];
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"--activation-id (?<id>\S+) --activation-code (?<code>\S+) --ca-fingerprint (?<fingerprint>\S+)")]
    private static partial Regex JoinLine();

    [GeneratedRegex(@"ORCH_SECRET_ACCESS_KEY=\S+")]
    private static partial Regex SecretLine();
}
