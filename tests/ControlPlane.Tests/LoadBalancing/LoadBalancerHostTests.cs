using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Contracts.Agent;
using Orchestrator.ControlPlane.Discovery;
using Orchestrator.ControlPlane.LoadBalancing;
using Orchestrator.Ecs.Model;
using Status = Orchestrator.Contracts.Agent.Status;

namespace Orchestrator.ControlPlane.Tests.LoadBalancing;

/// <summary>
/// The balancer's listeners on loopback, configured from the state: an HTTP listener forwards through YARP to a
/// service task's host port (a loopback HTTP server standing for the task) and counts the request; a TCP listener relays
/// bytes both ways; a task reported STOPPED leaves the rotation (503); without state changes the last configuration
/// keeps serving.
/// </summary>
public sealed class LoadBalancerHostTests
{
    private static CancellationToken Token => TestCluster.Token;

    [Fact(Timeout = 60_000)]
    public async Task HttpAndTcpListeners_ForwardToTaskPorts_StoppedTaskLeavesRotation()
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        using var web = new TcpListener(IPAddress.Loopback, 0);
        using var db = new TcpListener(IPAddress.Loopback, 0);
        web.Start();
        db.Start();
        _ = ServeHttpAsync(web, stop.Token);
        _ = EchoAsync(db, stop.Token);
        using var cluster = new TestCluster();
        await cluster.Api.Clusters.CreateClusterAsync(new CreateClusterRequest(), Token);
        var (instance, _) = await cluster.AddInstanceAsync(r => r.Attributes.Add(new Contracts.Agent.Attribute { Name = ServiceDiscovery.AddressAttribute, Value = "127.0.0.1" }));
        await cluster.RegisterAsync(memory: 64);
        var actions = new LoadBalancerActions(cluster.Store, cluster.Arns, cluster.Clock);
        await actions.CreateTargetGroupAsync(new TargetGroupInput { Name = "web", HealthCheckIntervalSeconds = 1, HealthCheckTimeoutSeconds = 1 }, Token);
        await actions.CreateTargetGroupAsync(new TargetGroupInput { Name = "db", Protocol = "TCP" }, Token);
        var (httpPort, tcpPort) = (FreePort(), FreePort());
        await actions.CreateListenerAsync(new ListenerInput { Port = httpPort, TargetGroup = "web" }, Token);
        await actions.CreateListenerAsync(new ListenerInput { Port = tcpPort, Protocol = "TCP", TargetGroup = "db" }, Token);
        ulong sequence = 0;
        var tasks = new Dictionary<string, string>();
        foreach (var (name, port) in new[] { ("web", ((IPEndPoint)web.LocalEndpoint).Port), ("db", ((IPEndPoint)db.LocalEndpoint).Port) })
        {
            var created = await cluster.Api.Services.CreateServiceAsync(new CreateServiceRequest
            {
                ServiceName = name, TaskDefinition = "web", DesiredCount = 1,
                LoadBalancers = [new LoadBalancer { TargetGroupArn = name, ContainerName = "web", ContainerPort = 80 }],
            }, Token);
            await cluster.Scheduler.ReconcileAsync(created.Service.ServiceArn, Token);
            tasks[name] = cluster.Store.Current.Tasks.Values.Single(t => t.Task.Group == "service:" + name).Arn;
            await ReportAsync(cluster, instance, ++sequence, tasks[name], Status.Running, port);
        }

        var counter = new RequestCounter();
        var options = Microsoft.Extensions.Options.Options.Create(new ControlPlaneOptions { LoadBalancerAddress = "127.0.0.1" });
        using var host = new LoadBalancerHost(cluster.Store, options, counter, NullLogger<LoadBalancerHost>.Instance);
        await host.StartAsync(Token);
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var url = new Uri($"http://127.0.0.1:{httpPort}/anything");
            var body = await EventuallyAsync(async () => await http.GetStringAsync(url, Token), b => b == "hello from the task");
            var echoed = await EchoThroughAsync(tcpPort);

            await ReportAsync(cluster, instance, ++sequence, tasks["web"], Status.Stopped, ((IPEndPoint)web.LocalEndpoint).Port);
            var status = await EventuallyAsync(async () => (await http.GetAsync(url, Token)).StatusCode, s => s == HttpStatusCode.ServiceUnavailable);

            Assert.Equal("hello from the task", body);
            Assert.Equal("ping through the balancer", echoed);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
            Assert.True(counter.Total("web") >= 1);
            Assert.Equal(1, counter.Total("db"));
            Assert.Equal(new[] { httpPort, tcpPort }.Order(), host.Serving.Keys.Order());
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
            await stop.CancelAsync();
        }
    }

    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> attempt, Func<T, bool> done)
    {
        var last = default(T);
        for (var i = 0; i < 100; i++)
        {
            try
            {
                last = await attempt();
                if (done(last))
                {
                    return last;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100, Token);
        }

        return last!;
    }

    private static async Task<string> EchoThroughAsync(int port)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port, Token);
        var stream = client.GetStream();
        var sent = Encoding.ASCII.GetBytes("ping through the balancer");
        await stream.WriteAsync(sent, Token);
        client.Client.Shutdown(SocketShutdown.Send);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync(Token);
    }

    /// <summary>A task's web server: answers one HTTP request per connection.</summary>
    private static Task ServeHttpAsync(TcpListener listener, CancellationToken token) => AcceptEachAsync(listener, async stream =>
    {
        var buffer = new byte[4096];
        var read = 0;
        while (read < buffer.Length && !Encoding.ASCII.GetString(buffer, 0, read).Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var n = await stream.ReadAsync(buffer.AsMemory(read), token);
            if (n == 0)
            {
                return;
            }

            read += n;
        }

        const string body = "hello from the task";
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}"), token);
    }, token);

    /// <summary>A task's TCP server: sends back what it reads.</summary>
    private static Task EchoAsync(TcpListener listener, CancellationToken token) => AcceptEachAsync(listener, async stream =>
    {
        await stream.CopyToAsync(stream, token);
        stream.Socket.Shutdown(SocketShutdown.Send);
    }, token);

    private static async Task AcceptEachAsync(TcpListener listener, Func<NetworkStream, Task> serve, CancellationToken token)
    {
        while (!token.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                using (client)
                {
                    await serve(client.GetStream());
                }
            }, token);
        }
    }

    private static Task ReportAsync(TestCluster cluster, string instance, ulong sequence, string task, Status status, int hostPort)
    {
        var state = new TaskState { TaskArn = task, LastStatus = status };
        var container = new ContainerState { Name = "web", LastStatus = status };
        container.NetworkBindings.Add(new Contracts.Agent.NetworkBinding { BindIp = "0.0.0.0", ContainerPort = 80, HostPort = hostPort, Protocol = "tcp" });
        state.Containers.Add(container);
        return cluster.Reports.ApplyAsync(instance, new TaskStateChange { Sequence = sequence, Task = state }, Token);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
