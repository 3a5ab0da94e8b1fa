using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Orchestrator.Cli.Tests.Fakes;

/// <summary>How the fake control plane is secured: nothing by default (h2c, no signature check).</summary>
internal sealed class FakeServerOptions
{
    /// <summary>The server certificate (with its key); the port speaks TLS when set.</summary>
    public X509Certificate2? Certificate { get; init; }

    /// <summary>The access keys by id; every call but GetClusterCa must be signed with one when set.</summary>
    public IReadOnlyDictionary<string, FakeKey>? Keys { get; init; }

    /// <summary>What GetClusterCa answers (PEM).</summary>
    public string? CaPem { get; init; }

    /// <summary>Every call's method and signature metadata, as the server saw them.</summary>
    public ConcurrentQueue<(string Method, string? Date, string? Authorization)> SeenCalls { get; } = new();
}

/// <summary>
/// A <see cref="FakeClusterApi"/>, <see cref="FakeAdmin"/> and <see cref="FakeAgentService"/> served by Kestrel on a
/// free loopback port: over h2c (HTTP/2 without TLS), or TLS with a test CA's certificate.
/// </summary>
internal sealed class FakeClusterApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeClusterApiServer(WebApplication app, FakeClusterApi api, FakeAdmin admin, FakeServerOptions options, string url)
    {
        _app = app;
        Api = api;
        Admin = admin;
        Options = options;
        Url = url;
    }

    public FakeClusterApi Api { get; }

    public FakeAdmin Admin { get; }

    public FakeServerOptions Options { get; }

    /// <summary>The endpoint to give <c>orch --endpoint</c>, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public string Url { get; }

    public static async Task<FakeClusterApiServer> StartAsync(CancellationToken cancellationToken, FakeServerOptions? options = null)
    {
        options ??= new FakeServerOptions();
        var api = new FakeClusterApi();
        var admin = new FakeAdmin();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            if (options.Certificate is not null)
            {
                listen.UseHttps(options.Certificate);
            }
        }));
        builder.Services.AddSingleton(options);
        builder.Services.AddGrpc(grpc => grpc.Interceptors.Add<FakeSignatureCheck>());
        builder.Services.AddSingleton(api);
        builder.Services.AddSingleton(admin);
        builder.Services.AddSingleton(new FakeAgentService { CaPem = options.CaPem });

        var app = builder.Build();
        app.MapGrpcService<FakeClusterApi>();
        app.MapGrpcService<FakeAdmin>();
        app.MapGrpcService<FakeAgentService>();
        await app.StartAsync(cancellationToken);

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new FakeClusterApiServer(app, api, admin, options, address);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}
