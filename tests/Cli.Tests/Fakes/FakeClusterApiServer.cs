using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Orchestrator.Cli.Tests.Fakes;

/// <summary>A <see cref="FakeClusterApi"/> served by Kestrel over h2c (HTTP/2 without TLS) on a free loopback port.</summary>
internal sealed class FakeClusterApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeClusterApiServer(WebApplication app, FakeClusterApi api, string url)
    {
        _app = app;
        Api = api;
        Url = url;
    }

    public FakeClusterApi Api { get; }

    /// <summary>The endpoint to give <c>orch --endpoint</c>, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public string Url { get; }

    public static async Task<FakeClusterApiServer> StartAsync(CancellationToken cancellationToken)
    {
        var api = new FakeClusterApi();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(api);

        var app = builder.Build();
        app.MapGrpcService<FakeClusterApi>();
        await app.StartAsync(cancellationToken);

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new FakeClusterApiServer(app, api, address);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}
