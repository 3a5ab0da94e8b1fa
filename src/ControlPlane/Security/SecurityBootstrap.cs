using System.Net;
using Microsoft.Extensions.Options;

namespace Orchestrator.ControlPlane.Security;

/// <summary>
/// Before the ports open: the cluster CA exists, and on the first secure start the admin access key is created —
/// written with the endpoint and CA to <c>DATA_DIR/orch-admin.json</c> (owner-only, an <c>orch</c> configuration file:
/// <c>ORCH_CONFIG=…/orch-admin.json orch …</c>) and shown once on an interactive terminal, never in the log.
/// </summary>
public sealed partial class SecurityBootstrap(
    IOptions<ControlPlaneOptions> options, ClusterPki pki, AccessKeyStore keys, ILogger<SecurityBootstrap> logger) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (o.Insecure)
        {
            Log.Insecure(logger);
            if (keys.IsEmpty)
            {
                Log.UnsignedHttp(logger);
            }

            return Task.CompletedTask;
        }

        var host = IPAddress.TryParse(o.ListenAddress, out var listen) && !listen.Equals(IPAddress.Any) && !listen.Equals(IPAddress.IPv6Any)
            ? (listen.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{listen}]" : listen.ToString())
            : "127.0.0.1";
        var configFile = Path.Combine(o.DataDir, AccessKeyStore.AdminConfigFileName);
        if (keys.EnsureAdmin(o.DataDir, $"https://{host}:{o.GrpcPort}", pki.CaFile(o)) is { } admin)
        {
            Log.AdminCreated(logger, admin.Id, configFile);
            if (!Console.IsOutputRedirected)
            {
                Console.Out.WriteLine($"""

                    The admin access key (shown once; also in {configFile}):
                      ORCH_ACCESS_KEY_ID={admin.Id}
                      ORCH_SECRET_ACCESS_KEY={admin.Secret}

                    """);
            }
        }

        Log.Secure(logger, pki.Fingerprint, configFile);
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
