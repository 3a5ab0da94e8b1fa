using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Orchestrator.Lab;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>
/// Service discovery on real Docker: a bridge-mode service (dynamic host ports) with a serviceRegistry, found through
/// the control plane's DNS server (UDP and TCP on a loopback port of the test's choosing), by a DNS client written here
/// and by dig when installed; its host ports answer HTTP; entries follow scale-out and a stopped task.
/// </summary>
public sealed class ServiceDiscoveryTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact(Timeout = 240_000)]
    public async Task BridgeService_FoundByDnsSrvAndA_PortsAnswer_EntriesFollowScaleAndStop()
    {
        TestContext.Current.CancellationToken.ThrowIfCancellationRequested();
        var dnsPort = FreeUdpAndTcpPort();
        await using var cluster = new LocalCluster { ControlPlaneArguments = ["--dns-port", $"{dnsPort}"] };
        await cluster.StartControlPlaneAsync();
        (await cluster.OrchAsync("cluster", "create", cluster.ClusterName)).EnsureSuccess();
        await cluster.StartAgentAsync();
        await cluster.WaitForConnectedInstanceAsync();
        await ServiceTests.RegisterAsync(cluster, "web", "local/busybox:1", "test -f /www/index.html");
        var name = $"web.{cluster.ClusterName}.orch.local";
        var output = TestContext.Current.TestOutputHelper;

        var started = Stopwatch.StartNew();
        (await cluster.OrchAsync("service", "create", "web", "--cluster", cluster.ClusterName, "-t", "web", "-n", "2",
            "--service-registry", "registryArn=arn:aws:servicediscovery:us-east-1:000000000000:service/srv-web,containerName=main,containerPort=80",
            "--wait", "--timeout", "2m")).EnsureSuccess();
        var srv = await WaitForAsync(dnsPort, name, 2);
        output?.WriteLine($"service of 2 created → 2 SRV records: {started.Elapsed.TotalSeconds:0.0} s");

        var tasks = await ServiceTests.ServiceTasksAsync(cluster);
        var hostPorts = tasks.Where(t => t.LastStatus == "RUNNING").Select(t => t.Containers[0].NetworkBindings[0].HostPort!.Value).Order().ToList();
        Assert.Equal(hostPorts, srv.Answers.Select(r => r.Port).Order());
        Assert.All(srv.Answers, r => Assert.Equal(5u, r.Ttl));
        Assert.All(srv.Additional, r => Assert.Equal("127.0.0.1", r.Address)); // the agent registered from loopback
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        foreach (var record in srv.Answers)
        {
            Assert.Equal("ok", (await http.GetStringAsync(new Uri($"http://127.0.0.1:{record.Port}/index.html"), Token)).Trim());
        }

        var a = await Dns.QueryAsync(dnsPort, name, Dns.A, tcp: false);
        Assert.Equal(["127.0.0.1"], a.Answers.Select(r => r.Address));
        Assert.Equal(srv.Answers.Select(r => r.Port).Order(), (await Dns.QueryAsync(dnsPort, name, Dns.Srv, tcp: true)).Answers.Select(r => r.Port).Order());
        Assert.Equal(3, (await Dns.QueryAsync(dnsPort, "nothing." + cluster.ClusterName + ".orch.local", Dns.A, tcp: false)).Rcode);
        Assert.Equal(5, (await Dns.QueryAsync(dnsPort, "example.com", Dns.A, tcp: false)).Rcode);

        // The same list over HTTP, to a loopback caller.
        var listed = JsonDocument.Parse(await http.GetStringAsync(new Uri($"http://127.0.0.1:{cluster.HttpPort}/discovery/v1/{cluster.ClusterName}/web"), Token));
        Assert.Equal(name, listed.RootElement.GetProperty("dnsName").GetString());
        Assert.Equal(hostPorts, listed.RootElement.GetProperty("endpoints").EnumerateArray().Select(e => e.GetProperty("port").GetInt32()).Order());

        var endpoints = (await cluster.OrchAsync("service", "endpoints", "web", "--cluster", cluster.ClusterName)).EnsureSuccess().Stdout;
        Assert.All(hostPorts, p => Assert.Contains($"127.0.0.1:{p}", endpoints, StringComparison.Ordinal));

        if (File.Exists("/usr/bin/dig"))
        {
            var dig = await Commands.RunAsync("/usr/bin/dig", ["@127.0.0.1", "-p", $"{dnsPort}", "+short", "+norecurse", name, "SRV"], TimeSpan.FromSeconds(15));
            output?.WriteLine("dig +short SRV:\n" + dig.Stdout);
            Assert.All(hostPorts, p => Assert.Contains($"1 1 {p} ", dig.Stdout, StringComparison.Ordinal));
        }

        started.Restart();
        (await cluster.OrchAsync("service", "update", "web", "--cluster", cluster.ClusterName, "-n", "3", "--wait", "--timeout", "2m")).EnsureSuccess();
        var three = await WaitForAsync(dnsPort, name, 3);
        output?.WriteLine($"scaled to 3 → 3 SRV records: {started.Elapsed.TotalSeconds:0.0} s");
        foreach (var record in three.Answers)
        {
            Assert.Equal("ok", (await http.GetStringAsync(new Uri($"http://127.0.0.1:{record.Port}/index.html"), Token)).Trim());
        }

        var victim = three.Answers[0];
        var victimTask = victim.Target!.Split('.')[0];
        started.Restart();
        (await cluster.OrchAsync("task", "stop", victimTask, "--cluster", cluster.ClusterName)).EnsureSuccess();
        await Eventually.Async(async () =>
        {
            var now = await Dns.QueryAsync(dnsPort, name, Dns.Srv, tcp: false);
            Assert.DoesNotContain(now.Answers, r => r.Target == victim.Target);
            Assert.Equal(3, (await Dns.QueryAsync(dnsPort, victim.Target!, Dns.A, tcp: false)).Rcode);
        }, TimeSpan.FromSeconds(30), cluster.Diagnostics);
        output?.WriteLine($"task stopped → gone from SRV and its name NXDOMAIN: {started.Elapsed.TotalSeconds:0.0} s");
    }

    private static async Task<Dns.Answer> WaitForAsync(int port, string name, int count)
    {
        Dns.Answer answer = null!;
        await Eventually.Async(async () =>
        {
            answer = await Dns.QueryAsync(port, name, Dns.Srv, tcp: false);
            Assert.Equal(0, answer.Rcode);
            Assert.Equal(count, answer.Answers.Count);
        }, TimeSpan.FromSeconds(60));
        return answer;
    }

    private static int FreeUdpAndTcpPort()
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            using var tcp = new TcpListener(IPAddress.Loopback, 0);
            tcp.Start();
            var port = ((IPEndPoint)tcp.LocalEndpoint).Port;
            try
            {
                using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException)
            {
            }
        }

        throw new InvalidOperationException("no free port for both UDP and TCP");
    }

    /// <summary>A minimal DNS client: one question to 127.0.0.1 over UDP or TCP, the answer's records read back.</summary>
    private static class Dns
    {
        public const ushort A = 1;
        public const ushort Srv = 33;

        public sealed record Record(string Name, ushort Type, uint Ttl, string? Address, int Port, string? Target);

        public sealed record Answer(int Rcode, IReadOnlyList<Record> Answers, IReadOnlyList<Record> Additional);

        public static async Task<Answer> QueryAsync(int port, string name, ushort type, bool tcp)
        {
            var id = (ushort)Random.Shared.Next(ushort.MaxValue);
            var query = new List<byte> { (byte)(id >> 8), (byte)id, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0 };
            foreach (var label in name.Split('.'))
            {
                query.Add((byte)label.Length);
                query.AddRange(Encoding.ASCII.GetBytes(label));
            }

            query.AddRange([0, (byte)(type >> 8), (byte)type, 0, 1]);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Token);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            byte[] packet;
            if (tcp)
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
                var stream = client.GetStream();
                await stream.WriteAsync(new byte[] { (byte)(query.Count >> 8), (byte)query.Count }.Concat(query).ToArray(), timeout.Token);
                var length = new byte[2];
                await stream.ReadExactlyAsync(length, timeout.Token);
                packet = new byte[BinaryPrimitives.ReadUInt16BigEndian(length)];
                await stream.ReadExactlyAsync(packet, timeout.Token);
            }
            else
            {
                using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
                await udp.SendAsync(query.ToArray(), new IPEndPoint(IPAddress.Loopback, port), timeout.Token);
                packet = (await udp.ReceiveAsync(timeout.Token)).Buffer;
            }

            Assert.Equal(id, BinaryPrimitives.ReadUInt16BigEndian(packet));
            return Read(packet);
        }

        private static Answer Read(byte[] packet)
        {
            int an = BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(6)), ns = BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(8));
            var ar = BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(10));
            var (_, at) = Name(packet, 12);
            at += 4;
            var records = new List<Record>();
            for (var i = 0; i < an + ns + ar; i++)
            {
                string owner;
                (owner, at) = Name(packet, at);
                var type = BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(at));
                var ttl = BinaryPrimitives.ReadUInt32BigEndian(packet.AsSpan(at + 4));
                var data = at + 10;
                records.Add(type switch
                {
                    A => new Record(owner, type, ttl, new IPAddress(packet.AsSpan(data, 4)).ToString(), 0, null),
                    Srv => new Record(owner, type, ttl, null, BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(data + 4)), Name(packet, data + 6).Name),
                    _ => new Record(owner, type, ttl, null, 0, null),
                });
                at = data + BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(at + 8));
            }

            return new Answer(packet[3] & 0xF, records.Take(an).ToList(), records.Skip(an + ns).ToList());
        }

        private static (string Name, int End) Name(byte[] packet, int at)
        {
            var labels = new List<string>();
            var end = -1;
            for (var hops = 0; hops < 64; hops++)
            {
                if ((packet[at] & 0xC0) == 0xC0)
                {
                    end = end < 0 ? at + 2 : end;
                    at = ((packet[at] & 0x3F) << 8) | packet[at + 1];
                    continue;
                }

                if (packet[at] == 0)
                {
                    return (string.Join('.', labels), end < 0 ? at + 1 : end);
                }

                labels.Add(Encoding.ASCII.GetString(packet, at + 1, packet[at]));
                at += 1 + packet[at];
            }

            throw new InvalidOperationException("name loops");
        }
    }
}
