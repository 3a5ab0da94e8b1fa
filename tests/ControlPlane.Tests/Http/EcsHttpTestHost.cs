using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;

namespace Orchestrator.ControlPlane.Tests.Http;

/// <summary>
/// A control plane in process with its ECS HTTP API on a test server (or, given a port, on the real Kestrel at
/// 127.0.0.1), one access key, region eu-west-1.
/// </summary>
public sealed class EcsHttpTestHost : IAsyncDisposable
{
    public const string KeyId = "AKIDORCHESTRATOR";
    public const string Secret = "s3cr3t/with+symbols";
    private readonly string _dataDir;
    private readonly WebApplication _app;

    private EcsHttpTestHost(string dataDir, WebApplication app)
    {
        _dataDir = dataDir;
        _app = app;
        Client = app.Services.GetService(typeof(Microsoft.AspNetCore.Hosting.Server.IServer)) is TestServer ? app.GetTestClient() : new HttpClient();
    }

    public HttpClient Client { get; }

    /// <summary>The control plane's services (its access key store, say).</summary>
    public IServiceProvider Services => _app.Services;

    public static async Task<EcsHttpTestHost> StartAsync(CancellationToken cancellationToken, int? kestrelPort = null)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "orch-http-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDir);
        var keys = Path.Combine(dataDir, "keys");
        await File.WriteAllTextAsync(keys, $"# test keys\n{KeyId} {Secret}\n", cancellationToken);
        string[] args = [$"--data-dir={dataDir}", $"--access-keys-file={keys}", "--region=eu-west-1"];
        var app = kestrelPort is { } port
            ? ControlPlaneApp.Build([.. args, "--grpc-port=0", $"--http-port={port}"])
            : ControlPlaneApp.Build(args, b => b.WebHost.UseTestServer());
        await app.StartAsync(cancellationToken);
        return new EcsHttpTestHost(dataDir, app);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        Directory.Delete(_dataDir, recursive: true);
    }
}
