using System.Net;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Orchestrator.ControlPlane.State;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Model;

namespace Orchestrator.ControlPlane.LoadBalancing;

/// <summary>
/// The built-in load balancer beside the control plane (on with <c>--lb-address</c>): one Kestrel server with YARP per
/// HTTP listener port, one <see cref="TcpProxy"/> per TCP listener port, all on the operator's address. Their
/// configuration is <see cref="BalancerConfiguration.From"/> of the state, rebuilt after each commit and given to YARP's
/// in-memory provider only when it changed; a request never asks the control plane anything, so the balancer keeps
/// serving its last configuration when the state stops changing.
/// </summary>
public sealed partial class LoadBalancerHost(StateStore store, IOptions<ControlPlaneOptions> options, RequestCounter counter,
    ILogger<LoadBalancerHost> logger) : BackgroundService
{
    private readonly Dictionary<int, Listener> _listeners = [];
    private readonly Channel<bool> _changed = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>The ports listening now and their configuration (tests, `orch lb` answers).</summary>
    public IReadOnlyDictionary<int, string> Serving { get; private set; } = new Dictionary<int, string>();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.LoadBalancerAddress is not { Length: > 0 } text || !IPAddress.TryParse(text, out var address))
        {
            return;
        }

        void OnCommit(StateSnapshot state, IReadOnlyList<StateChange> changes) => _changed.Writer.TryWrite(true);
        store.Committed += OnCommit;
        try
        {
            _changed.Writer.TryWrite(true);
            while (await _changed.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                _changed.Reader.TryRead(out _);
                await ApplyAsync(address, BalancerConfiguration.From(store.Current), stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            store.Committed -= OnCommit;
            foreach (var listener in _listeners.Values)
            {
                await listener.DisposeAsync().ConfigureAwait(false);
            }

            _listeners.Clear();
        }
    }

    private async Task ApplyAsync(IPAddress address, IReadOnlyList<PortConfiguration> ports, CancellationToken token)
    {
        var wanted = ports.ToDictionary(p => p.Port);
        foreach (var port in _listeners.Keys.Where(p => !wanted.ContainsKey(p) || wanted[p].Protocol != _listeners[p].Protocol).ToList())
        {
            await _listeners[port].DisposeAsync().ConfigureAwait(false);
            _listeners.Remove(port);
            Log.Stopped(logger, port);
        }

        foreach (var config in ports)
        {
            if (!_listeners.TryGetValue(config.Port, out var listener))
            {
                try
                {
                    listener = config.Protocol == LoadBalancerNames.Tcp
                        ? new Listener(config.Protocol, null, new TcpProxy(address, config.Port, counter, logger))
                        : new Listener(config.Protocol, await StartHttpAsync(address, config, token).ConfigureAwait(false), null);
                }
                catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidOperationException)
                {
                    Log.BindFailed(logger, address.ToString(), config.Port, e.Message);
                    continue;
                }

                _listeners[config.Port] = listener;
                Log.Listening(logger, address.ToString(), config.Port, config.Protocol);
            }

            if (listener.Fingerprint == config.Fingerprint)
            {
                continue;
            }

            listener.Fingerprint = config.Fingerprint;
            if (listener.Tcp is { } tcp)
            {
                tcp.Update(TcpGroup(config), config.TcpEndpoints);
            }
            else
            {
                listener.Http!.Services.GetRequiredService<InMemoryConfigProvider>().Update(config.Routes, config.Clusters);
            }
        }

        Serving = _listeners.ToDictionary(p => p.Key, p => p.Value.Fingerprint);
    }

    private string TcpGroup(PortConfiguration config) =>
        store.Current.Listeners.Values.FirstOrDefault(l => l.Port == config.Port)?.TargetGroup ?? "";

    private async Task<WebApplication> StartHttpAsync(IPAddress address, PortConfiguration config, CancellationToken token)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ApplicationName = "orch-load-balancer" });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseKestrel(k => k.Listen(address, config.Port));
        builder.Services.AddReverseProxy().LoadFromMemory([], []);
        var app = builder.Build();
        app.MapReverseProxy(pipeline => pipeline.Use((context, next) =>
        {
            if (context.Features.Get<IReverseProxyFeature>()?.Cluster?.Config.ClusterId is { } group)
            {
                counter.Count(group);
            }

            return next();
        }));
        await app.StartAsync(token).ConfigureAwait(false);
        return app;
    }

    private sealed class Listener(string protocol, WebApplication? http, TcpProxy? tcp) : IAsyncDisposable
    {
        public string Protocol { get; } = protocol;
        public WebApplication? Http { get; } = http;
        public TcpProxy? Tcp { get; } = tcp;
        public string Fingerprint { get; set; } = "";

        public async ValueTask DisposeAsync()
        {
            if (Http is not null)
            {
                using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await Http.StopAsync(deadline.Token).ConfigureAwait(false);
                await Http.DisposeAsync().ConfigureAwait(false);
            }

            if (Tcp is not null)
            {
                await Tcp.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
