using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Orchestrator.Agent.Metadata;

/// <summary>
/// A small Kestrel server of the agent's (the metadata endpoint, the introspection API): plain HTTP/1.1 on the given
/// addresses, GET routes only, short timeouts and small request limits, no logging of its own.
/// </summary>
public static class LocalWebServer
{
    /// <summary>Requests a second each client (source address) may make, and in a burst, when rate limited (ECS: 40, 60).</summary>
    public const int RequestsPerSecond = 40;

    public const int Burst = 60;

    /// <param name="rateLimited">Whether each client (source address) is held to <see cref="RequestsPerSecond"/> (429 beyond).</param>
    public static async Task<WebApplication> StartAsync(
        IReadOnlyList<IPEndPoint> endpoints, Action<WebApplication> map, CancellationToken cancellationToken, bool rateLimited = false)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(map);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 0;
            kestrel.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
            kestrel.Limits.MaxRequestLineSize = 4 * 1024;
            kestrel.Limits.MaxConcurrentConnections = 256;
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(5);
            kestrel.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(30);
            foreach (var endpoint in endpoints)
            {
                kestrel.Listen(endpoint, listen => listen.Protocols = HttpProtocols.Http1);
            }
        });
        if (rateLimited)
        {
            builder.Services.AddRateLimiter(limiter =>
            {
                limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
                limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context => RateLimitPartition.GetTokenBucketLimiter(
                    context.Connection.RemoteIpAddress?.ToString() ?? "",
                    _ => new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = Burst,
                        TokensPerPeriod = RequestsPerSecond,
                        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                        QueueLimit = 0,
                        AutoReplenishment = true,
                    }));
            });
        }

        var app = builder.Build();
        if (rateLimited)
        {
            app.UseRateLimiter();
        }

        map(app);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return app;
    }
}
