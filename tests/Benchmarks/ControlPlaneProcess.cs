using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Orchestrator.Benchmarks;

/// <summary>
/// The real control plane program, as the solution builds it (artifacts/bin/ControlPlane/&lt;configuration&gt;/), started
/// as a child process on loopback with free ports and a temporary data directory; disposing kills it and deletes the
/// directory. Only its command line and ports are used: nothing of its internals.
/// </summary>
public sealed class ControlPlaneProcess : IAsyncDisposable
{
    private const int TailLines = 200;

    private readonly Process _process;
    private readonly Queue<string> _tail = new();
    private readonly string _dataDir;

    private ControlPlaneProcess(Process process, string dataDir, int grpcPort, int httpPort)
    {
        _process = process;
        _dataDir = dataDir;
        GrpcPort = grpcPort;
        HttpPort = httpPort;
    }

    public int GrpcPort { get; }

    /// <summary>Its data directory (the cluster CA is pki/ca.crt there once it has started securely).</summary>
    public string DataDir => _dataDir;

    /// <summary>The process ID, for /proc/&lt;pid&gt; (RSS, CPU time).</summary>
    public int ProcessId => _process.Id;

    public int HttpPort { get; }

    public Uri GrpcEndpoint => new($"http://127.0.0.1:{GrpcPort}");

    public Uri HttpEndpoint => new($"http://127.0.0.1:{HttpPort}/");

    /// <summary>The last lines it printed, for a failure message.</summary>
    public string OutputTail
    {
        get
        {
            lock (_tail)
            {
                return string.Join('\n', _tail);
            }
        }
    }

    /// <summary>Starts it and waits (at most <paramref name="timeout"/>) until /healthz answers.</summary>
    /// <param name="secure">TLS on the gRPC port (agents join with an activation) instead of the loopback <c>--insecure</c> mode.</param>
    public static async Task<ControlPlaneProcess> StartAsync(TimeSpan timeout, CancellationToken cancellationToken, IEnumerable<string>? extraArguments = null, bool secure = false)
    {
        // ORCH_BENCH_CONTROLPLANE names another build's ControlPlane.dll, to measure two versions in one run.
        var dll = Environment.GetEnvironmentVariable("ORCH_BENCH_CONTROLPLANE") is { Length: > 0 } other ? other : ProgramPath("ControlPlane", "ControlPlane");
        var dataDir = Path.Combine(Path.GetTempPath(), "orch-bench-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dataDir);
        int grpcPort = FreePort(), httpPort = FreePort();
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { dll, "--data-dir", dataDir, "--listen", "127.0.0.1", "--grpc-port", $"{grpcPort}", "--http-port", $"{httpPort}" }.Concat(extraArguments ?? []))
        {
            info.ArgumentList.Add(argument);
        }

        // The simulated agents speak plaintext without certificates: the loopback development mode (builds from before
        // it existed are plaintext anyway; ORCH_BENCH_INSECURE=0 leaves the flag out for them).
        if (!secure && Environment.GetEnvironmentVariable("ORCH_BENCH_INSECURE") != "0")
        {
            info.ArgumentList.Add("--insecure");
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        var process = new Process { StartInfo = info };
        var controlPlane = new ControlPlaneProcess(process, dataDir, grpcPort, httpPort);
        process.OutputDataReceived += (_, e) => controlPlane.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => controlPlane.Keep(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await controlPlane.WaitHealthyAsync(timeout, cancellationToken);
            return controlPlane;
        }
        catch
        {
            await controlPlane.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _process.WaitForExitAsync(wait.Token);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException)
        {
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>artifacts/bin/&lt;project&gt;/&lt;configuration of this build&gt;/&lt;name&gt;.dll, as tests/Lab/Programs.cs finds programs.</summary>
    private static string ProgramPath(string project, string name)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Name;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Orchestrator.sln")))
            {
                var path = Path.Combine(dir.FullName, "artifacts", "bin", project, configuration, name + ".dll");
                return File.Exists(path) ? path : throw new FileNotFoundException($"{path} is not built; build the solution first.", path);
            }
        }

        throw new InvalidOperationException("Orchestrator.sln not found above " + AppContext.BaseDirectory);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task WaitHealthyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The control plane exited with {_process.ExitCode}:\n{OutputTail}");
            }

            try
            {
                var health = await http.GetStringAsync(new Uri(HttpEndpoint, "healthz"), cancellationToken);
                if (health.Contains("ok", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
            }

            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"The control plane did not answer /healthz within {timeout}:\n{OutputTail}");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_tail)
        {
            _tail.Enqueue(line);
            if (_tail.Count > TailLines)
            {
                _tail.Dequeue();
            }
        }
    }
}
