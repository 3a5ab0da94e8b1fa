using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Orchestrator.ControlPlane.Application;
using Orchestrator.ControlPlane.State;
using Orchestrator.ControlPlane.Tasks;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Http;

/// <summary>
/// The web console on the HTTP port, under <c>/console</c>: its page and assets (embedded in this assembly, public),
/// sign-in with an access key, and the signed-in calls — ECS actions posted as the ECS API's own JSON and answered by
/// the same <see cref="EcsActions"/> table (so its validation errors are the API's), a server-sent event stream that
/// says when the cluster changed, a task's events, its latest stats and its followed logs. Every call but the page,
/// its assets and sign-in needs the session cookie; every POST but sign-in also needs the session's CSRF token in
/// <see cref="CsrfHeader"/>. A read-only key may call ECS's read actions only, and may not read logs (as over gRPC).
/// </summary>
public static class ConsoleEndpoint
{
    public const string Prefix = "/console";
    public const string CookieName = "orch_console";
    public const string CsrfHeader = "X-Orch-Csrf";
    public const int MaxBodyBytes = EcsHttpEndpoint.MaxBodyBytes;

    /// <summary>The console's assets by file name: content type and bytes, read once from the embedded resources.</summary>
    private static readonly FrozenDictionary<string, (string ContentType, byte[] Bytes, string ETag)> Assets = LoadAssets();

    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static void MapConsole(this IEndpointRouteBuilder endpoints)
    {
        // One route for /console and /console/ (routing does not tell them apart): the page's relative links need the slash.
        endpoints.MapGet(Prefix, Page);
        endpoints.MapGet(Prefix + "/{file}", (HttpContext context, string file) => ServeAsset(context, file));
        endpoints.MapPost(Prefix + "/api/login", SignInAsync);
        endpoints.MapPost(Prefix + "/api/logout", SignOut);
        endpoints.MapGet(Prefix + "/api/session", SessionInfo);
        endpoints.MapPost(Prefix + "/api/ecs/{action}", InvokeAsync);
        endpoints.MapGet(Prefix + "/api/events", ChangesAsync);
        endpoints.MapGet(Prefix + "/api/task-events", TaskEventsAsync);
        endpoints.MapGet(Prefix + "/api/task-stats", TaskStatsAsync);
        endpoints.MapGet(Prefix + "/api/task-logs", TaskLogsAsync);
        endpoints.MapGet(Prefix + "/api/placement", PlacementAsync);
    }

    private static Task Page(HttpContext context)
    {
        if (context.Request.Path.Value?.EndsWith('/') == true)
        {
            return ServeAsset(context, "index.html");
        }

        context.Response.Redirect(Prefix + "/");
        return Task.CompletedTask;
    }

    private static async Task ServeAsset(HttpContext context, string file)
    {
        if (!Assets.TryGetValue(file, out var asset))
        {
            await WriteErrorAsync(context, StatusCodes.Status404NotFound, "ResourceNotFoundException", "No such console page.").ConfigureAwait(false);
            return;
        }

        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-cache";
        headers.ETag = asset.ETag;
        if (context.Request.Headers.IfNoneMatch.ToString() == asset.ETag)
        {
            context.Response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        context.Response.ContentType = asset.ContentType;
        context.Response.ContentLength = asset.Bytes.Length;
        await context.Response.Body.WriteAsync(asset.Bytes, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task SignInAsync(HttpContext context, ConsoleSessions sessions, RequestAuthenticator authenticator, ConsoleLog log)
    {
        var remote = RemoteOf(context);
        if (!sessions.MayAttempt(remote))
        {
            log.SignInThrottled(remote);
            context.Response.Headers.RetryAfter = $"{(int)ConsoleSessions.AttemptWindow.TotalSeconds}";
            await WriteErrorAsync(context, StatusCodes.Status429TooManyRequests, "ThrottlingException", "Too many failed sign-ins; try again in a minute.").ConfigureAwait(false);
            return;
        }

        string id, secret;
        try
        {
            using var document = JsonDocument.Parse(await ReadBodyAsync(context, 4096).ConfigureAwait(false));
            id = document.RootElement.TryGetProperty("accessKeyId", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString()! : "";
            secret = document.RootElement.TryGetProperty("secretAccessKey", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString()! : "";
        }
        catch (Exception e) when (e is JsonException or BadHttpRequestException or InvalidOperationException)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, EcsErrors.Client, "Send {\"accessKeyId\": …, \"secretAccessKey\": …}.").ConfigureAwait(false);
            return;
        }

        if (authenticator.Required && (id.Length is 0 or > 128 || secret.Length is 0 or > 256))
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, EcsErrors.Client, "Enter an access key ID and its secret access key.").ConfigureAwait(false);
            return;
        }

        if (sessions.SignIn(remote, id, secret, authenticator.Required) is not var (cookie, session))
        {
            log.SignInRefused(remote, id);
            await WriteErrorAsync(context, StatusCodes.Status403Forbidden, RequestAuthenticator.UnrecognizedClient, "The access key ID or secret access key is not right.").ConfigureAwait(false);
            return;
        }

        log.SignedIn(remote, session.AccessKeyId, session.ReadOnly);
        context.Response.Cookies.Append(CookieName, cookie, new CookieOptions
        {
            HttpOnly = true,
            Secure = context.Request.IsHttps,
            SameSite = SameSiteMode.Strict,
            Path = Prefix,
            MaxAge = ConsoleSessions.Lifetime,
        });
        await WriteJsonAsync(context, StatusCodes.Status200OK, Info(session)).ConfigureAwait(false);
    }

    private static async Task SignOut(HttpContext context, ConsoleSessions sessions, RequestAuthenticator authenticator)
    {
        if (await RequireAsync(context, sessions, authenticator, post: true).ConfigureAwait(false) is null)
        {
            return;
        }

        sessions.SignOut(context.Request.Cookies[CookieName]);
        context.Response.Cookies.Delete(CookieName, new CookieOptions { Path = Prefix, HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = context.Request.IsHttps });
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private static async Task SessionInfo(HttpContext context, ConsoleSessions sessions, RequestAuthenticator authenticator)
    {
        if (await RequireAsync(context, sessions, authenticator, post: false).ConfigureAwait(false) is { } session)
        {
            await WriteJsonAsync(context, StatusCodes.Status200OK, Info(session)).ConfigureAwait(false);
        }
    }

    /// <summary>An ECS action, its request the ECS API's JSON: the same table, the same errors, the same read-only rule.</summary>
    private static async Task InvokeAsync(HttpContext context, string action, ConsoleSessions sessions, RequestAuthenticator authenticator, EcsActions actions, EcsRequestLog log)
    {
        if (await RequireAsync(context, sessions, authenticator, post: true).ConfigureAwait(false) is not { } session)
        {
            return;
        }

        var remote = RemoteOf(context);
        var requestId = Guid.NewGuid().ToString();
        context.Response.Headers["x-amzn-RequestId"] = requestId;
        try
        {
            if (session.ReadOnly && !Security.ReadOnlyActions.Allows(action))
            {
                throw new EcsException(EcsHttpEndpoint.AccessDenied,
                    $"User: {session.AccessKeyId} is not authorized to perform: ecs:{EcsText.Cut(action, 64)} (the access key is read-only).");
            }

            var body = await ReadBodyAsync(context, MaxBodyBytes).ConfigureAwait(false);
            var response = await actions.InvokeAsync(action, Encoding.UTF8.GetString(body), context.RequestAborted).ConfigureAwait(false);
            var bytes = Encoding.UTF8.GetBytes(response);
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = bytes.Length;
            await context.Response.Body.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
        }
        catch (EcsException e) when (!e.IsServerError)
        {
            log.Refused(remote, "console " + action, e.ErrorType, e.Message, requestId);
            await WriteErrorAsync(context, e.ErrorType == EcsHttpEndpoint.AccessDenied ? StatusCodes.Status403Forbidden : StatusCodes.Status400BadRequest, e.ErrorType, e.Message)
                .ConfigureAwait(false);
        }
        catch (BadHttpRequestException e)
        {
            log.Refused(remote, "console " + action, EcsErrors.Client, e.Message, requestId);
            await WriteErrorAsync(context, e.StatusCode, EcsErrors.Client, e.Message).ConfigureAwait(false);
        }
        catch (Exception e) when (context.RequestAborted.IsCancellationRequested && e is OperationCanceledException or IOException)
        {
            // The browser went away.
        }
        catch (Exception e)
        {
            log.Failed(remote, e, "console " + action, requestId);
            await WriteErrorAsync(context, StatusCodes.Status500InternalServerError, EcsErrors.Server, $"An internal error occurred. Request ID: {requestId}").ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Server-sent events: <c>event: change</c> whenever the cluster state's version or the set of connected agents
    /// changes (looked at twice a second), a comment every 15 s to keep proxies from closing it. Ends with the session.
    /// </summary>
    private static async Task ChangesAsync(HttpContext context, ConsoleSessions sessions, RequestAuthenticator authenticator, StateStore store, IAgentConnections agents, TimeProvider clock)
    {
        if (await RequireAsync(context, sessions, authenticator, post: false).ConfigureAwait(false) is null)
        {
            return;
        }

        StartEventStream(context);
        var token = context.RequestAborted;
        var last = "";
        var lastWrite = clock.GetUtcNow();
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500), clock);
        try
        {
            do
            {
                if (sessions.Find(context.Request.Cookies[CookieName], authenticator.Required) is null)
                {
                    await WriteEventAsync(context, "signedout", "{}", token).ConfigureAwait(false);
                    return;
                }

                var state = store.Current;
                var connected = state.Instances.Keys.Count(agents.IsConnected);
                var digest = $"{state.Version}.{connected}";
                if (digest != last)
                {
                    last = digest;
                    lastWrite = clock.GetUtcNow();
                    await WriteEventAsync(context, "change", $"{{\"version\":{state.Version},\"connected\":{connected}}}", token).ConfigureAwait(false);
                }
                else if (clock.GetUtcNow() - lastWrite > TimeSpan.FromSeconds(15))
                {
                    lastWrite = clock.GetUtcNow();
                    await context.Response.WriteAsync(": keep-alive\n\n", token).ConfigureAwait(false);
                    await context.Response.Body.FlushAsync(token).ConfigureAwait(false);
                }
            }
            while (await timer.WaitForNextTickAsync(token).ConfigureAwait(false));
        }
        catch (Exception e) when (token.IsCancellationRequested && e is OperationCanceledException or IOException)
        {
            // The page closed.
        }
    }

    private static async Task TaskEventsAsync(HttpContext context, ConsoleSessions sessions, RequestAuthenticator authenticator, TaskActions tasks)
    {
        if (await RequireAsync(context, sessions, authenticator, post: false).ConfigureAwait(false) is null)
        {
            return;
        }

        try
        {
            var (cluster, task) = TaskOf(context);
            var events = tasks.Events(cluster, task).Select(e => new ConsoleTaskEvent(e.At, e.Message)).ToList();
            await WriteJsonAsync(context, StatusCodes.Status200OK, new ConsoleTaskEvents(events)).ConfigureAwait(false);
        }
        catch (EcsException e) when (!e.IsServerError)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, e.ErrorType, e.Message).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Why one more task of a service (<c>?service=</c>) or of a task definition (<c>?taskDefinition=</c>) would not be
    /// placed now: the placement engine's per-instance reasons, computed without placing (read-only keys too).
    /// </summary>
    private static async Task PlacementAsync(HttpContext context, ConsoleSessions sessions, RequestAuthenticator authenticator, PlacementPreview preview)
    {
        if (await RequireAsync(context, sessions, authenticator, post: false).ConfigureAwait(false) is null)
        {
            return;
        }

        var query = context.Request.Query;
        var cluster = query["cluster"].ToString() is { Length: > 0 } c ? c : null;
        var service = query["service"].ToString();
        var definition = query["taskDefinition"].ToString();
        try
        {
            var result = (service.Length > 0, definition.Length > 0) switch
            {
                (true, false) => preview.ForService(cluster, service),
                (false, true) => preview.ForTaskDefinition(cluster, definition),
                _ => throw EcsException.InvalidParameter("Give either service or taskDefinition."),
            };
            await WriteJsonAsync(context, StatusCodes.Status200OK, result).ConfigureAwait(false);
        }
        catch (EcsException e) when (!e.IsServerError)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, e.ErrorType, EcsText.Cut(e.Message, 300)).ConfigureAwait(false);
        }
    }

    /// <summary>The task's latest usage sample from its agent (one answer, not a stream: the page asks again).</summary>
    private static async Task TaskStatsAsync(HttpContext context, ConsoleSessions sessions, RequestAuthenticator authenticator, TaskActions tasks, ITaskStreams streams)
    {
        if (await RequireAsync(context, sessions, authenticator, post: false).ConfigureAwait(false) is null)
        {
            return;
        }

        try
        {
            var task = await PlacedTaskAsync(context, tasks).ConfigureAwait(false);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            deadline.CancelAfter(TimeSpan.FromSeconds(10));
            var containers = new List<ConsoleContainerUsage>();
            DateTimeOffset? at = null;
            await foreach (var usage in streams.StatsAsync(task.ContainerInstanceArn!, task.TaskArn!, follow: false, deadline.Token).ConfigureAwait(false))
            {
                at = usage.SampledAt;
                containers = [.. usage.Containers.Select(c => new ConsoleContainerUsage(c.Name, c.CpuPercent, c.MemoryUsedBytes, c.MemoryLimitBytes, c.NetworkRxBytes, c.NetworkTxBytes))];
                break;
            }

            await WriteJsonAsync(context, StatusCodes.Status200OK, new ConsoleTaskStats(at, containers)).ConfigureAwait(false);
        }
        catch (EcsException e) when (!e.IsServerError)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, e.ErrorType, e.Message).ConfigureAwait(false);
        }
        catch (TaskStreamException e)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, EcsErrors.Client, e.Message).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, EcsErrors.Client, "The task's agent sent no stats within 10 seconds.").ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The page went away.
        }
    }

    /// <summary>
    /// The task's logs as server-sent events (<c>event: line</c>, data <c>{container, fd, time, text}</c>), the last 200
    /// lines and then, followed, each new one until its containers stop or the session ends. Not for read-only keys:
    /// a log may hold what a read-only key should not see (the gRPC API refuses them TaskLogs as well).
    /// </summary>
    private static async Task TaskLogsAsync(HttpContext context, ConsoleSessions sessions, RequestAuthenticator authenticator, TaskActions tasks, ITaskStreams streams, TimeProvider clock)
    {
        if (await RequireAsync(context, sessions, authenticator, post: false).ConfigureAwait(false) is not { } session)
        {
            return;
        }

        if (session.ReadOnly)
        {
            await WriteErrorAsync(context, StatusCodes.Status403Forbidden, EcsHttpEndpoint.AccessDenied, "A read-only access key may not read task logs.").ConfigureAwait(false);
            return;
        }

        EcsTask task;
        try
        {
            task = await PlacedTaskAsync(context, tasks).ConfigureAwait(false);
        }
        catch (EcsException e) when (!e.IsServerError)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, e.ErrorType, e.Message).ConfigureAwait(false);
            return;
        }

        StartEventStream(context);
        // The stream ends with the session: a signed-out or expired page stops receiving lines.
        using var until = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        until.CancelAfter(session.ExpiresAt - clock.GetUtcNow());
        var token = until.Token;
        try
        {
            var query = new TaskLogsQuery([], Follow: context.Request.Query["follow"] != "false", Since: null, Tail: 200);
            await foreach (var chunk in streams.LogsAsync(task.ContainerInstanceArn!, task.TaskArn!, query, token).ConfigureAwait(false))
            {
                var line = new ConsoleLogLine(chunk.Container, chunk.Fd, chunk.Time, Encoding.UTF8.GetString(chunk.Data.Span));
                await WriteEventAsync(context, "line", JsonSerializer.Serialize(line, ConsoleJson.Default.ConsoleLogLine), token).ConfigureAwait(false);
                if (sessions.Find(context.Request.Cookies[CookieName], authenticator.Required) is null)
                {
                    return;
                }
            }

            await WriteEventAsync(context, "end", "{}", token).ConfigureAwait(false);
        }
        catch (TaskStreamException e)
        {
            await WriteEventAsync(context, "failed", JsonSerializer.Serialize(new ConsoleError(EcsErrors.Client, EcsText.Cut(e.Message, 300)), ConsoleJson.Default.ConsoleError), token)
                .ConfigureAwait(false);
        }
        catch (Exception e) when (token.IsCancellationRequested && e is OperationCanceledException or IOException)
        {
            // The page closed or the session ended.
        }
    }

    private static (string? Cluster, string Task) TaskOf(HttpContext context)
    {
        var cluster = context.Request.Query["cluster"].ToString();
        var task = context.Request.Query["task"].ToString();
        if (task.Length is 0 or > 2048 || cluster.Length > 2048)
        {
            throw EcsException.InvalidParameter("Name a task (task=) and, optionally, its cluster (cluster=).");
        }

        return (cluster.Length == 0 ? null : cluster, task);
    }

    private static async Task<EcsTask> PlacedTaskAsync(HttpContext context, TaskActions tasks)
    {
        var (cluster, reference) = TaskOf(context);
        var found = await tasks.DescribeTasksAsync(new DescribeTasksRequest { Cluster = cluster, Tasks = [reference] }, context.RequestAborted).ConfigureAwait(false);
        var task = found.Tasks.FirstOrDefault() ?? throw EcsException.InvalidParameter("The task was not found.");
        return task.ContainerInstanceArn is null ? throw EcsException.InvalidParameter("The task was never placed on a container instance.") : task;
    }

    /// <summary>
    /// The signed-in session, or null after answering 401 (no or stale session) or 403 (a POST without the session's
    /// CSRF token, or from another origin).
    /// </summary>
    private static async Task<ConsoleSession?> RequireAsync(HttpContext context, ConsoleSessions sessions, RequestAuthenticator authenticator, bool post)
    {
        context.Response.Headers.CacheControl = "no-store";
        var session = sessions.Find(context.Request.Cookies[CookieName], authenticator.Required);
        if (session is null)
        {
            await WriteErrorAsync(context, StatusCodes.Status401Unauthorized, RequestAuthenticator.MissingAuthenticationToken, "Sign in to the console first.").ConfigureAwait(false);
            return null;
        }

        if (post)
        {
            var given = Encoding.UTF8.GetBytes(context.Request.Headers[CsrfHeader].ToString());
            if (!CryptographicOperations.FixedTimeEquals(given, Encoding.UTF8.GetBytes(session.CsrfToken)))
            {
                await WriteErrorAsync(context, StatusCodes.Status403Forbidden, EcsHttpEndpoint.AccessDenied, $"The request lacks the session's {CsrfHeader} token.").ConfigureAwait(false);
                return null;
            }
        }

        return session;
    }

    private static ConsoleSessionInfo Info(ConsoleSession session) => new(session.AccessKeyId, session.ReadOnly, session.CsrfToken, session.ExpiresAt);

    private static string RemoteOf(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "local";

    private static async Task<byte[]> ReadBodyAsync(HttpContext context, int limit)
    {
        if (context.Request.ContentLength > limit)
        {
            throw new BadHttpRequestException($"The request body is larger than {limit} bytes.", StatusCodes.Status413PayloadTooLarge);
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        deadline.CancelAfter(EcsHttpEndpoint.BodyTimeout);
        using var body = new MemoryStream();
        var chunk = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await context.Request.Body.ReadAsync(chunk, deadline.Token).ConfigureAwait(false)) > 0)
            {
                if (body.Length + read > limit)
                {
                    throw new BadHttpRequestException($"The request body is larger than {limit} bytes.", StatusCodes.Status413PayloadTooLarge);
                }

                body.Write(chunk, 0, read);
            }
        }
        catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
        {
            throw new BadHttpRequestException("The request body was not received in time.", StatusCodes.Status408RequestTimeout);
        }
        catch (IOException e) when (e is not BadHttpRequestException && !context.RequestAborted.IsCancellationRequested)
        {
            throw new BadHttpRequestException("The request body could not be read.", StatusCodes.Status400BadRequest);
        }

        return body.ToArray();
    }

    private static void StartEventStream(HttpContext context)
    {
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers["X-Accel-Buffering"] = "no";
    }

    private static async Task WriteEventAsync(HttpContext context, string name, string json, CancellationToken token)
    {
        await context.Response.WriteAsync($"event: {name}\ndata: {json}\n\n", token).ConfigureAwait(false);
        await context.Response.Body.FlushAsync(token).ConfigureAwait(false);
    }

    private static Task WriteErrorAsync(HttpContext context, int status, string type, string message) =>
        context.Response.HasStarted ? Task.CompletedTask : WriteJsonAsync(context, status, new ConsoleError(type, EcsText.WellFormed(EcsText.Cut(message, 1000))));

    private static async Task WriteJsonAsync<T>(HttpContext context, int status, T value)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(value, typeof(T), ConsoleJson.Default);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
    }

    private static FrozenDictionary<string, (string, byte[], string)> LoadAssets()
    {
        var assembly = typeof(ConsoleEndpoint).Assembly;
        const string prefix = "Orchestrator.ControlPlane.Console.";
        var assets = new Dictionary<string, (string, byte[], string)>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var file = name[prefix.Length..];
            var type = Path.GetExtension(file) switch
            {
                ".html" => "text/html; charset=utf-8",
                ".js" => "text/javascript; charset=utf-8",
                ".css" => "text/css; charset=utf-8",
                ".svg" => "image/svg+xml",
                _ => "application/octet-stream",
            };
            var bytes = copy.ToArray();
            assets[file] = (type, bytes, $"\"{Convert.ToHexString(SHA256.HashData(bytes))[..16]}\"");
        }

        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }
}

public sealed record ConsoleSessionInfo(string AccessKeyId, bool ReadOnly, string CsrfToken, DateTimeOffset ExpiresAt);

public sealed record ConsoleError([property: JsonPropertyName("__type")] string Type, string Message);

public sealed record ConsoleTaskEvent(DateTimeOffset At, string Message);

public sealed record ConsoleTaskEvents(IReadOnlyList<ConsoleTaskEvent> Events);

public sealed record ConsoleContainerUsage(string Name, double CpuPercent, long MemoryUsedBytes, long MemoryLimitBytes, long NetworkRxBytes, long NetworkTxBytes);

public sealed record ConsoleTaskStats(DateTimeOffset? SampledAt, IReadOnlyList<ConsoleContainerUsage> Containers);

public sealed record ConsoleLogLine(string Container, int Fd, DateTimeOffset? Time, string Text);

[JsonSerializable(typeof(ConsoleSessionInfo))]
[JsonSerializable(typeof(ConsoleError))]
[JsonSerializable(typeof(ConsoleTaskEvents))]
[JsonSerializable(typeof(ConsoleTaskStats))]
[JsonSerializable(typeof(ConsoleLogLine))]
[JsonSerializable(typeof(PlacementPreviewResult))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class ConsoleJson : JsonSerializerContext;
