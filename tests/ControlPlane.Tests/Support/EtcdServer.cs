using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Orchestrator.Testing;

/// <summary>
/// Local etcd members (Debian's etcd-server, installed by scripts/ensure-tools.sh) on free loopback ports, each with its
/// own data directory under a temporary root: a member can be killed (SIGKILL) and started again on the same data.
/// </summary>
public sealed class EtcdServer : IAsyncDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "orch-etcd-" + Guid.NewGuid().ToString("N")[..10]);
    private readonly int[] _clientPorts;
    private readonly int[] _peerPorts;
    private readonly Process?[] _members;
    private readonly StringBuilder[] _logs;

    private EtcdServer(int members)
    {
        _clientPorts = [.. Enumerable.Range(0, members).Select(_ => FreePort())];
        _peerPorts = [.. Enumerable.Range(0, members).Select(_ => FreePort())];
        _members = new Process?[members];
        _logs = [.. Enumerable.Range(0, members).Select(_ => new StringBuilder())];
        Directory.CreateDirectory(_root);
    }

    public int Count => _members.Length;

    /// <summary>Every member's client URL, comma-separated (what --State:Etcd:Endpoints takes).</summary>
    public string Endpoints => string.Join(',', _clientPorts.Select(p => $"http://127.0.0.1:{p}"));

    public string Endpoint(int member) => $"http://127.0.0.1:{_clientPorts[member]}";

    public string Logs => string.Join('\n', _logs.Select((l, i) => $"--- etcd m{i} ---\n{l}"));

    /// <summary>Starts <paramref name="members"/> members as one cluster and waits until it is healthy.</summary>
    public static async Task<EtcdServer> StartAsync(int members, CancellationToken cancellationToken)
    {
        var server = new EtcdServer(members);
        for (var i = 0; i < members; i++)
        {
            server.Start(i);
        }

        await server.WaitHealthyAsync(cancellationToken);
        return server;
    }

    public void Start(int member)
    {
        var cluster = string.Join(',', _peerPorts.Select((p, i) => $"m{i}=http://127.0.0.1:{p}"));
        var info = new ProcessStartInfo("etcd")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])
                 [
                     "--name", $"m{member}", "--data-dir", Path.Combine(_root, $"m{member}"),
                     "--listen-client-urls", Endpoint(member), "--advertise-client-urls", Endpoint(member),
                     "--listen-peer-urls", $"http://127.0.0.1:{_peerPorts[member]}", "--initial-advertise-peer-urls", $"http://127.0.0.1:{_peerPorts[member]}",
                     "--initial-cluster", cluster, "--initial-cluster-state", "new", "--initial-cluster-token", Path.GetFileName(_root),
                     // Larger writes than etcd's default 128 operations per transaction stay one transaction.
                     "--max-txn-ops", "1024", "--logger", "zap", "--log-level", "warn",
                     "--heartbeat-interval", "100", "--election-timeout", "1000",
                 ])
        {
            info.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = info };
        var log = _logs[member];
        process.OutputDataReceived += (_, e) => Append(log, e.Data);
        process.ErrorDataReceived += (_, e) => Append(log, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _members[member] = process;
    }

    /// <summary>kill -9 of one member.</summary>
    public void Kill(int member)
    {
        if (_members[member] is { } process)
        {
            process.Kill();
            process.WaitForExit(5000);
            process.Dispose();
            _members[member] = null;
        }
    }

    /// <summary>Waits until every running member answers /health with true (a quorum elected a leader).</summary>
    public async Task WaitHealthyAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        for (var i = 0; i < _members.Length; i++)
        {
            while (_members[i] is not null)
            {
                try
                {
                    var health = await http.GetStringAsync(new Uri(Endpoint(i) + "/health"), cancellationToken);
                    if (health.Contains("\"health\":\"true\"", StringComparison.Ordinal))
                    {
                        break;
                    }
                }
                catch (HttpRequestException)
                {
                }
                catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                }

                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException("etcd did not become healthy:\n" + Logs);
                }

                await Task.Delay(100, cancellationToken);
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        for (var i = 0; i < _members.Length; i++)
        {
            Kill(i);
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }

        return ValueTask.CompletedTask;
    }

    private static void Append(StringBuilder log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            if (log.Length < 200_000)
            {
                log.AppendLine(line);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
