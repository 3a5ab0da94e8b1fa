using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Docker.DotNet;
using Docker.DotNet.Models;
using Grpc.Core;
using Grpc.Net.Client;
using Orchestrator.Contracts;
using Orchestrator.Contracts.Cluster;
using Orchestrator.Lab;
using Orchestrator.Testing;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>
/// Three control planes on a three-member etcd, two real agents given all three addresses: the leader is killed (-9)
/// during a burst of RunTask calls, then etcd loses one member, then its quorum, then gets it back.
/// </summary>
public sealed class HighAvailabilityTests
{
    private const string KeyId = "AKIDHATEST";
    private const string Secret = "ha/test+secret";
    private const int Burst = 200;

    [Fact(Timeout = 720_000)]
    public async Task LeaderKilledDuringRunTaskBurst_NewLeaderTakesOver_NoTaskLostOrDuplicated_ThenEtcdQuorumLostAndBack()
    {
        var token = TestContext.Current.CancellationToken;
        var output = TestContext.Current.TestOutputHelper!;
        var clock = Stopwatch.StartNew();
        await using var ha = await HaCluster.StartAsync(token);
        var client = ha.Client;
        var cluster = ha.ClusterName;

        // A cluster, a task definition (a sleeping busybox that stops within 2 s) and a service of 4 on two agents.
        void Note(string line) => output.WriteLine($"[{clock.Elapsed.TotalSeconds:F1} s] {line}");
        await client.CallAsync("CreateCluster", new { clusterName = cluster }, token);
        await client.CallAsync("RegisterTaskDefinition", new
        {
            family = "ha-sleep",
            containerDefinitions = new[] { new { name = "main", image = "local/busybox:1", memory = 8, cpu = 4, command = new[] { "sleep", "3600" }, stopTimeout = 2 } },
        }, token);
        Note("3 control planes and a 3-member etcd up");
        await ha.StartAgentsAsync(2);
        await Eventually.Async(async () => Assert.Equal(2, await ha.ConnectedAgentsAsync(token)), TimeSpan.FromSeconds(90), ha.Diagnostics);
        await client.CallAsync("CreateService", new { cluster, serviceName = "web", taskDefinition = "ha-sleep", desiredCount = 4 }, token);
        await Eventually.Async(async () => Assert.Equal(4, await RunningCountAsync(client, cluster, token)), TimeSpan.FromSeconds(90), ha.Diagnostics);

        Note("2 agents connected, service of 4 running");
        // The burst: 8 callers, each RunTask with its own clientToken, re-sent with the same token when refused or failed.
        var leader = await ha.LeaderAsync(token);
        var done = 0;
        var attempts = 0;
        var next = -1;
        var killed = new TaskCompletionSource<Stopwatch>(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstAfterKill = new ConcurrentBag<double>();
        var callers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < Burst)
            {
                var request = new { cluster, taskDefinition = "ha-sleep", count = 1, clientToken = $"burst-{i:D3}", startedBy = "ha-burst" };
                for (var attempt = 0; ; attempt++)
                {
                    Interlocked.Increment(ref attempts);
                    var reply = await client.CallAsync("RunTask", request, token);
                    if (reply.GetProperty("tasks").GetArrayLength() == 1)
                    {
                        break;
                    }

                    // No task and failures (no instance could take it yet): nothing was created, so re-send as it is.
                    Assert.True(attempt < 100, $"RunTask {i} kept failing: {reply}");
                    await Task.Delay(200, token);
                }

                if (Interlocked.Increment(ref done) == Burst / 4)
                {
                    ha.Kill(leader);
                    killed.SetResult(Stopwatch.StartNew());
                }
                else if (killed.Task.IsCompleted)
                {
                    firstAfterKill.Add(killed.Task.Result.Elapsed.TotalMilliseconds);
                }
            }
        }, token)).ToList();
        var sinceKill = await killed.Task.WaitAsync(TimeSpan.FromMinutes(3), token);
        var newLeader = await ha.LeaderAsync(token);
        var electedAfter = sinceKill.Elapsed;
        await Task.WhenAll(callers).WaitAsync(TimeSpan.FromMinutes(4), token);
        Note($"failover: control plane {leader} killed (-9) after {Burst / 4} RunTask calls; new leader {newLeader} seen after {electedAfter.TotalMilliseconds:F0} ms; " +
                         $"first RunTask placed after the kill at {(firstAfterKill.IsEmpty ? double.NaN : firstAfterKill.Min()):F0} ms; {attempts} RunTask attempts for {Burst} calls");
        Assert.NotEqual(leader, newLeader);

        Note("burst done");
        // Exactly 200 tasks, each RUNNING, none twice; the service steady at 4; both agents back with the new leader.
        await Eventually.Async(async () =>
        {
            var tasks = await DescribeAllAsync(client, cluster, "ha-burst", token);
            Assert.Equal(Burst, tasks.Count);
            Assert.All(tasks, t => Assert.Equal("RUNNING", t.GetProperty("lastStatus").GetString()));
        }, TimeSpan.FromMinutes(6), ha.Diagnostics, TimeSpan.FromSeconds(2));
        Assert.Equal(Burst + 4, await ha.RunningContainersAsync(token));
        await Eventually.Async(async () => Assert.Equal(2, await ha.ConnectedAgentsAsync(token)), TimeSpan.FromSeconds(60), ha.Diagnostics);
        await Eventually.Async(async () => Assert.Equal(4, await RunningCountAsync(client, cluster, token)), TimeSpan.FromSeconds(60), ha.Diagnostics);
        Assert.Equal(4, (await ListAsync(client, cluster, new { cluster, serviceName = "web" }, token)).Count);

        Note("200 tasks RUNNING once each, service steady, agents back");
        // One etcd member killed: writes go on.
        ha.Etcd.Kill(0);
        var write = Stopwatch.StartNew();
        await client.CallAsync("CreateCluster", new { clusterName = cluster + "-two-of-three" }, token);
        Note($"one etcd member of 3 killed: a write acknowledged in {write.ElapsedMilliseconds} ms");

        // Quorum lost (two of three killed): writes are refused with a clear, retryable error; reads are served.
        ha.Etcd.Kill(1);
        var refused = await Assert.ThrowsAsync<RpcException>(() => client.CallOnceEachAsync("CreateCluster", new { clusterName = cluster + "-one-of-three" }, token));
        Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
        Assert.Matches("etcd|leader", refused.Status.Detail);
        Note($"quorum lost: write refused: {refused.Status.Detail}");
        // A follower answers from its snapshot, which may not hold the last write yet (its watch may be moving to a live
        // member): read what every control plane has had since the start.
        var read = await client.CallAsync("DescribeClusters", new { clusters = new[] { cluster } }, token);
        Assert.Equal("ACTIVE", Assert.Single(read.GetProperty("clusters").EnumerateArray()).GetProperty("status").GetString());

        // Members back: a leader is elected again (a supervisor restarts a control plane that stopped) and writes resume.
        ha.Etcd.Start(0);
        ha.Etcd.Start(1);
        await ha.Etcd.WaitHealthyAsync(token);
        ha.RestartExited();
        write.Restart();
        await client.CallAsync("CreateCluster", new { clusterName = cluster + "-back" }, token);
        Note($"quorum back: a write acknowledged {write.ElapsedMilliseconds} ms after etcd was healthy again");
        Assert.Equal(Burst, (await DescribeAllAsync(client, cluster, "ha-burst", token)).Count);
    }

    private static async Task<int> RunningCountAsync(HaClient client, string cluster, CancellationToken token)
    {
        var reply = await client.CallAsync("DescribeServices", new { cluster, services = new[] { "web" } }, token);
        var service = reply.GetProperty("services")[0];
        return service.GetProperty("runningCount").GetInt32() == 4 && service.GetProperty("desiredCount").GetInt32() == 4 ? 4 : service.GetProperty("runningCount").GetInt32();
    }

    private static async Task<List<string>> ListAsync(HaClient client, string cluster, object request, CancellationToken token)
    {
        var arns = new List<string>();
        string? nextToken = null;
        for (var page = 0; page < 20; page++)
        {
            var json = JsonSerializer.SerializeToElement(request);
            var fields = json.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value);
            fields["maxResults"] = 100;
            if (nextToken is not null)
            {
                fields["nextToken"] = nextToken;
            }

            var reply = await client.CallAsync("ListTasks", fields, token);
            arns.AddRange(reply.GetProperty("taskArns").EnumerateArray().Select(a => a.GetString()!));
            nextToken = reply.TryGetProperty("nextToken", out var more) && more.ValueKind == JsonValueKind.String ? more.GetString() : null;
            if (nextToken is null)
            {
                break;
            }
        }

        return arns;
    }

    /// <summary>Every task started by <paramref name="startedBy"/>, running or stopped (a duplicate would show in either).</summary>
    private static async Task<List<JsonElement>> DescribeAllAsync(HaClient client, string cluster, string startedBy, CancellationToken token)
    {
        var arns = (await ListAsync(client, cluster, new { cluster, startedBy, desiredStatus = "RUNNING" }, token))
            .Concat(await ListAsync(client, cluster, new { cluster, startedBy, desiredStatus = "STOPPED" }, token)).ToList();
        var tasks = new List<JsonElement>();
        foreach (var chunk in arns.Chunk(100))
        {
            var reply = await client.CallAsync("DescribeTasks", new { cluster, tasks = chunk }, token);
            tasks.AddRange(reply.GetProperty("tasks").EnumerateArray().Select(t => t.Clone()));
        }

        return tasks;
    }

    /// <summary>Three control planes (etcd backend) sharing one PKI and key files, and their agents.</summary>
    private sealed class HaCluster : IAsyncDisposable
    {
        private readonly string _root = Path.Combine(Path.GetTempPath(), "orch-ha-" + Guid.NewGuid().ToString("N")[..10]);
        private readonly int[] _grpc = [FreePort(), FreePort(), FreePort()];
        private readonly int[] _http = [FreePort(), FreePort(), FreePort()];
        private readonly ManagedProcess?[] _controlPlanes = new ManagedProcess?[3];
        private readonly List<ManagedProcess> _agents = [];
        private readonly string _prefix = "/orch/ha-" + Guid.NewGuid().ToString("N")[..8] + "/";
        private readonly DockerClient _docker = new DockerClientBuilder().WithEndpoint(new Uri("unix:///var/run/docker.sock")).Build();

        private HaCluster(EtcdServer etcd)
        {
            Etcd = etcd;
            Directory.CreateDirectory(_root);
            Client = new HaClient([.. _grpc.Select(p => $"https://127.0.0.1:{p}")], Path.Combine(DataDir(0), "pki", "ca.crt"));
        }

        public EtcdServer Etcd { get; }

        public HaClient Client { get; }

        public string ClusterName { get; } = "ha-" + Guid.NewGuid().ToString("N")[..10];

        public string Endpoints => string.Join(',', _grpc.Select(p => $"https://127.0.0.1:{p}"));

        public static async Task<HaCluster> StartAsync(CancellationToken token)
        {
            var etcd = await EtcdServer.StartAsync(3, token);
            var ha = new HaCluster(etcd);
            await File.WriteAllTextAsync(Path.Combine(ha._root, "access-keys"), $"{KeyId} {Secret}\n", token);
            // The first control plane makes the cluster's CA and admin key; the others get copies of its files.
            ha.StartControlPlane(0);
            await ha.WaitRoleAsync(0, "leader", token);
            foreach (var i in (int[])[1, 2])
            {
                CopyDirectory(ha.DataDir(0), ha.DataDir(i));
                ha.StartControlPlane(i);
            }

            await Task.WhenAll(ha.WaitRoleAsync(1, "follower", token), ha.WaitRoleAsync(2, "follower", token));
            return ha;
        }

        public async Task StartAgentsAsync(int count)
        {
            var cli = new OrchCli(() => $"https://127.0.0.1:{_grpc[Array.FindIndex(_controlPlanes, p => p is { HasExited: false })]}", () => Path.Combine(DataDir(0), "orch-admin.json"));
            var join = await cli.JoinArgumentsAsync(ClusterName, Path.Combine(DataDir(0), "pki", "ca.crt"), maxRegistrations: count);
            join[Array.IndexOf(join, "--endpoint") + 1] = Endpoints;
            for (var i = 0; i < count; i++)
            {
                _agents.Add(ManagedProcess.Start($"agent{i}", Programs.Agent,
                    [.. join, "--cluster", ClusterName, "--data-dir", Path.Combine(_root, $"agent{i}"), "--docker-host", "unix:///var/run/docker.sock",
                     $"--Agent:MetadataPort={FreePort()}", $"--Agent:IntrospectionEndpoint=127.0.0.1:{FreePort()}",
                     "--Agent:ReconnectMaxDelay=00:00:01"]));
            }
        }

        /// <summary>The leader's index, once one answers as leader.</summary>
        public async Task<int> LeaderAsync(CancellationToken token)
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
            for (var round = 0; round < 600; round++)
            {
                for (var i = 0; i < 3; i++)
                {
                    if (_controlPlanes[i] is { HasExited: false } && await RoleAsync(http, i, token) == "leader")
                    {
                        return i;
                    }
                }

                await Task.Delay(50, token);
            }

            throw new TimeoutException("No control plane became the leader:\n" + Diagnostics());
        }

        public void Kill(int controlPlane) => _controlPlanes[controlPlane]!.KillHard();

        /// <summary>Starts again every control plane that stopped (killed, or stopped itself on losing the lead), as systemd would.</summary>
        public void RestartExited()
        {
            for (var i = 0; i < 3; i++)
            {
                if (_controlPlanes[i] is { HasExited: true })
                {
                    StartControlPlane(i);
                }
            }
        }

        /// <summary>Agents connected to the leader (only the leader holds sessions).</summary>
        public async Task<int> ConnectedAgentsAsync(CancellationToken token)
        {
            var list = await Client.CallAsync("ListContainerInstances", new { cluster = ClusterName }, token);
            var arns = list.GetProperty("containerInstanceArns").EnumerateArray().Select(a => a.GetString()).ToArray();
            if (arns.Length == 0)
            {
                return 0;
            }

            var described = await Client.CallAsync("DescribeContainerInstances", new { cluster = ClusterName, containerInstances = arns }, token);
            return described.GetProperty("containerInstances").EnumerateArray().Count(i => i.GetProperty("agentConnected").GetBoolean());
        }

        /// <summary>This cluster's running containers on the Docker engine.</summary>
        public async Task<int> RunningContainersAsync(CancellationToken token)
        {
            var containers = await _docker.Containers.ListContainersAsync(new ContainersListParameters
            {
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [LocalCluster.ClusterLabel] = true } },
            }, token);
            return containers.Count(c => c.Labels[LocalCluster.ClusterLabel].EndsWith("/" + ClusterName, StringComparison.Ordinal) || c.Labels[LocalCluster.ClusterLabel] == ClusterName);
        }

        public string Diagnostics() =>
            string.Join('\n', _controlPlanes.Select((p, i) => $"--- controlplane {i} ---\n{p?.OutputTail(60)}")) + "\n" +
            string.Join('\n', _agents.Select(a => $"--- {a.Name} ---\n{a.OutputTail(40)}"));

        public async ValueTask DisposeAsync()
        {
            foreach (var agent in _agents)
            {
                await agent.DisposeAsync();
            }

            foreach (var controlPlane in _controlPlanes)
            {
                if (controlPlane is not null)
                {
                    await controlPlane.DisposeAsync();
                }
            }

            await Etcd.DisposeAsync();
            var containers = await _docker.Containers.ListContainersAsync(new ContainersListParameters
            {
                All = true,
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [LocalCluster.ClusterLabel] = true } },
            }, CancellationToken.None);
            // 200-odd containers: removed 8 at a time.
            await Parallel.ForEachAsync(
                containers.Where(c => c.Labels[LocalCluster.ClusterLabel].EndsWith("/" + ClusterName, StringComparison.Ordinal) || c.Labels[LocalCluster.ClusterLabel] == ClusterName),
                new ParallelOptions { MaxDegreeOfParallelism = 8 },
                async (container, _) => await _docker.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true }, CancellationToken.None));

            _docker.Dispose();
            Client.Dispose();
            try
            {
                Directory.Delete(_root, recursive: true);
            }
            catch (IOException)
            {
            }
        }

        private string DataDir(int i) => Path.Combine(_root, $"cp{i}");

        private void StartControlPlane(int i)
        {
            _controlPlanes[i]?.KillHard();
            _controlPlanes[i] = ManagedProcess.Start($"controlplane{i}", Programs.ControlPlane,
                ["--data-dir", DataDir(i), "--grpc-port", $"{_grpc[i]}", "--http-port", $"{_http[i]}", "--agent-heartbeat-timeout", "00:00:10",
                 "--access-keys-file", Path.Combine(_root, "access-keys"),
                 "--State:Backend=etcd", $"--State:Etcd:Endpoints={Etcd.Endpoints}", $"--State:Etcd:Prefix={_prefix}",
                 $"--State:Etcd:Advertise=https://127.0.0.1:{_grpc[i]}", "--State:Etcd:LeaseTtlSeconds=3", "--State:Etcd:CallTimeoutSeconds=2"]);
        }

        private async Task WaitRoleAsync(int i, string role, CancellationToken token)
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            await Eventually.Async(async () =>
            {
                Assert.False(_controlPlanes[i]!.HasExited, $"control plane {i} exited:\n{_controlPlanes[i]!.Output}");
                Assert.Equal(role, await RoleAsync(http, i, token));
            }, TimeSpan.FromSeconds(60), Diagnostics);
        }

        private async Task<string?> RoleAsync(HttpClient http, int i, CancellationToken token)
        {
            try
            {
                var json = await http.GetStringAsync(new Uri($"http://127.0.0.1:{_http[i]}/healthz/role"), token);
                return JsonDocument.Parse(json).RootElement.GetProperty("role").GetString();
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !token.IsCancellationRequested)
            {
                return null;
            }
        }

        private static void CopyDirectory(string from, string to)
        {
            Directory.CreateDirectory(to);
            foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
            {
                var target = Path.Combine(to, Path.GetRelativePath(from, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }
        }
    }

    /// <summary>
    /// A cluster API client given every control plane's address, as `orch` and agents are: a call refused by a follower
    /// or failed on a dead control plane goes to the next one, the same request again.
    /// </summary>
    private sealed class HaClient : IDisposable
    {
        private readonly GrpcChannel[] _channels;
        private int _current;

        public HaClient(string[] endpoints, string caFile)
        {
            _channels = [.. endpoints.Select(e => GrpcChannel.ForAddress(e, new GrpcChannelOptions
            {
                HttpHandler = new SocketsHttpHandler
                {
                    ConnectTimeout = TimeSpan.FromSeconds(5),
                    SslOptions = new SslClientAuthenticationOptions
                    {
                        RemoteCertificateValidationCallback = (_, certificate, _, _) => TrustedBy(certificate, caFile),
                    },
                },
            }))];
        }

        /// <summary>Calls until a control plane answers, moving on after a refusal or a failure (at most 90 s).</summary>
        public async Task<JsonElement> CallAsync(string action, object request, CancellationToken token)
        {
            var json = JsonSerializer.Serialize(request);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
            while (true)
            {
                var index = Volatile.Read(ref _current);
                try
                {
                    return await CallAsync(index, action, json, token);
                }
                // A connect timeout (a loaded machine) surfaces as Cancelled with the caller's token untouched.
                catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal or StatusCode.Unknown or StatusCode.Cancelled
                                             && DateTime.UtcNow < deadline && !token.IsCancellationRequested)
                {
                    Interlocked.CompareExchange(ref _current, (index + 1) % _channels.Length, index);
                    await Task.Delay(50, token);
                }
            }
        }

        /// <summary>Tries each control plane once; throws the last refusal when none accepted.</summary>
        public async Task<JsonElement> CallOnceEachAsync(string action, object request, CancellationToken token)
        {
            var json = JsonSerializer.Serialize(request);
            RpcException? last = null;
            for (var i = 0; i < _channels.Length; i++)
            {
                try
                {
                    return await CallAsync(i, action, json, token);
                }
                catch (RpcException e)
                {
                    last = e;
                }
            }

            throw last!;
        }

        public void Dispose()
        {
            foreach (var channel in _channels)
            {
                channel.Dispose();
            }
        }

        private async Task<JsonElement> CallAsync(int index, string action, string json, CancellationToken token)
        {
            var method = "/orchestrator.cluster.v1.ClusterApi/Call";
            var (date, authorization) = CallSignature.Sign(KeyId, Secret, method, DateTimeOffset.UtcNow);
            var reply = await new ClusterApi.ClusterApiClient(_channels[index]).CallAsync(
                new EcsCall { Action = action, Json = json },
                new Grpc.Core.Metadata { { CallSignature.DateHeader, date }, { CallSignature.AuthorizationHeader, authorization } },
                deadline: DateTime.UtcNow.AddSeconds(15), cancellationToken: token);
            return JsonDocument.Parse(reply.Json).RootElement.Clone();
        }

        private static bool TrustedBy(X509Certificate? certificate, string caFile)
        {
            if (certificate is not X509Certificate2 presented)
            {
                return false;
            }

            using var ca = X509CertificateLoader.LoadCertificateFromFile(caFile);
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(presented);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
