using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Orchestrator.ControlPlane.Capacity;
using Orchestrator.ControlPlane.State;
using Orchestrator.ControlPlane.Tests.Support;

namespace Orchestrator.ControlPlane.Tests.Application;

/// <summary>The scaling webhook: a real HTTP listener on loopback gets the JSON and the bearer token; a failure is logged without them.</summary>
public sealed class ScalingHookTests
{
    [Fact(Timeout = 30_000)]
    public async Task Webhook_PostsTheDesiredCountWithTheToken_AndAFailureLogsNeitherTokenNorPath()
    {
        var token = TestContext.Current.CancellationToken;
        var directory = Directory.CreateTempSubdirectory("orch-hook-").FullName;
        var tokenFile = Path.Combine(directory, "token");
        await File.WriteAllTextAsync(tokenFile, "s3cret-token\n", token);
        var port = FreePort();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var logs = new CapturingLoggerProvider();
        using var factory = Microsoft.Extensions.Logging.LoggerFactory.Create(b => b.AddProvider(logs));
        var options = Microsoft.Extensions.Options.Options.Create(new ControlPlaneOptions
        {
            ScalingHookUrl = $"http://127.0.0.1:{port}/private/path?key=hidden",
            ScalingHookTokenFile = tokenFile,
        });
        var hook = new ScalingHook(options, factory.CreateLogger<ScalingHook>());
        var instance = new InstanceRecord
        {
            Arn = "arn:aws:ecs:us-east-1:1:container-instance/c/abc", ClusterName = "c", Hostname = "h2",
            Registered = new HostCapacity(1024, 1024, [], []),
        };
        var request = new ScalingRequest("c", "pa", 1, 2, 50, [instance]);

        foreach (var status in new[] { 200, 500 })
        {
            var call = hook.CallAsync(request, token);
            var context = await listener.GetContextAsync().WaitAsync(token);
            using var body = JsonDocument.Parse(await new StreamReader(context.Request.InputStream).ReadToEndAsync(token));
            Assert.Equal("Bearer s3cret-token", context.Request.Headers["Authorization"]);
            Assert.Equal(("pa", 1, 2), (body.RootElement.GetProperty("capacityProvider").GetString(),
                body.RootElement.GetProperty("desiredCount").GetInt32(), body.RootElement.GetProperty("currentCount").GetInt32()));
            Assert.Equal(instance.Arn, body.RootElement.GetProperty("remove")[0].GetProperty("containerInstanceArn").GetString());
            context.Response.StatusCode = status;
            context.Response.Close();
            Assert.Equal(status == 200, await call);
        }

        var logged = string.Join('\n', logs.Lines);
        Assert.Contains("HTTP 500", logged, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", logged, StringComparison.Ordinal);
        Assert.DoesNotContain("private", logged, StringComparison.Ordinal);
        Assert.DoesNotContain("hidden", logged, StringComparison.Ordinal);
        Directory.Delete(directory, recursive: true);
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
