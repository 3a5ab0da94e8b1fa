using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Orchestrator.ControlPlane.Application;
using Orchestrator.Ecs;

namespace Orchestrator.ControlPlane.Http;

/// <summary>
/// The ECS-compatible API on the HTTP port: the AWS JSON 1.1 protocol that the AWS CLI and SDKs speak —
/// <c>POST</c> with <c>X-Amz-Target: AmazonEC2ContainerServiceV20141113.&lt;Action&gt;</c> and a JSON body, answered with
/// the action's response document or <c>{"__type": …, "message": …}</c>. A request is authenticated from its headers
/// first, its body read up to <see cref="MaxBodyBytes"/> (hashed as it is read) within <see cref="BodyTimeout"/>, its
/// signature checked over that hash, and only then is the JSON parsed.
/// </summary>
public static class EcsHttpEndpoint
{
    public const string TargetPrefix = "AmazonEC2ContainerServiceV20141113.";
    public const string ContentType = "application/x-amz-json-1.1";
    public const int MaxBodyBytes = 1 << 20;
    public const string AccessDenied = "AccessDeniedException";
    public static readonly TimeSpan BodyTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The longest error message sent: the actions' messages are far shorter; this is a safety net.</summary>
    private const int MaxMessageLength = 1000;

    /// <summary>Any path: <c>--endpoint-url http://host:port/prefix</c> makes the CLI post to <c>/prefix</c>.</summary>
    public static void MapEcsApi(this IEndpointRouteBuilder endpoints) => endpoints.MapPost("/{**path}", HandleAsync);

    private static async Task HandleAsync(HttpContext context, EcsActions actions, RequestAuthenticator authenticator, EcsRequestLog log, TimeProvider clock)
    {
        if (AutoScalingHttpEndpoint.Handles(context))
        {
            await AutoScalingHttpEndpoint.HandleAsync(context).ConfigureAwait(false); // Application Auto Scaling shares the path and protocol
            return;
        }

        var requestId = Guid.NewGuid().ToString();
        context.Response.Headers["x-amzn-RequestId"] = requestId;
        var remote = context.Connection.RemoteIpAddress?.ToString() ?? "local";
        var target = context.Request.Headers["X-Amz-Target"].ToString();
        var action = target.StartsWith(TargetPrefix, StringComparison.Ordinal) ? target[TargetPrefix.Length..] : null;
        try
        {
            var signed = authenticator.Authenticate(context);
            var (body, hash) = await ReadBodyAsync(context, clock).ConfigureAwait(false);
            signed?.Verify(hash);
            if (action is null)
            {
                throw new EcsException(EcsErrors.UnknownOperation,
                    target.Length == 0 ? "The X-Amz-Target header is missing." : $"Unknown target {EcsText.Cut(target)}: expected {TargetPrefix}<Action>.");
            }

            if (signed is { ReadOnly: true } && !Security.ReadOnlyActions.Allows(action))
            {
                throw new EcsException(AccessDenied, $"User: {signed.AccessKeyId} is not authorized to perform: ecs:{EcsText.Cut(action, 64)} (the access key is read-only).");
            }

            if (signed?.Role is { } role)
            {
                var arns = context.RequestServices.GetRequiredService<Arns>();
                TaskRoleAuthorization.Check(role, action, body, arns);
                TaskRoleAuthorization.CheckPassRole(role, action, body, arns, context.RequestServices.GetRequiredService<State.StateStore>().Current);
            }

            var response = await actions.InvokeAsync(action, Encoding.UTF8.GetString(body), context.RequestAborted).ConfigureAwait(false);
            await WriteAsync(context, StatusCodes.Status200OK, response).ConfigureAwait(false);
        }
        catch (EcsException e) when (!e.IsServerError)
        {
            log.Refused(remote, action ?? target, e.ErrorType, e.Message, requestId);
            await WriteErrorAsync(context, StatusOf(e.ErrorType), e.ErrorType, e.Message).ConfigureAwait(false);
        }
        catch (State.StateUnavailableException e)
        {
            // A follower of several control planes, or etcd without quorum: retryable (AWS clients retry a 503).
            log.Refused(remote, action ?? target, EcsErrors.Server, e.Message, requestId);
            if (e.Leader is { } leader)
            {
                context.Response.Headers["x-orch-leader"] = leader;
            }

            await WriteErrorAsync(context, StatusCodes.Status503ServiceUnavailable, EcsErrors.Server, e.Message).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e)
        {
            // Kestrel's and ours: a malformed, oversized or too slow body. The client's fault, never a 500.
            log.Refused(remote, action ?? target, EcsErrors.Client, e.Message, requestId);
            await WriteErrorAsync(context, e.StatusCode, EcsErrors.Client, e.Message).ConfigureAwait(false);
        }
        catch (Exception e) when (context.RequestAborted.IsCancellationRequested && e is OperationCanceledException or IOException)
        {
            // The caller went away (an aborted body, a closed connection): there is nobody to answer.
        }
        catch (Exception e)
        {
            log.Failed(remote, e, action ?? target, requestId);
            await WriteErrorAsync(context, StatusCodes.Status500InternalServerError, EcsErrors.Server, $"An internal error occurred. Request ID: {requestId}")
                .ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The body, read up to <see cref="MaxBodyBytes"/> and no further whatever Content-Length says or chunked encoding
    /// hides, and its SHA-256 computed on the way.
    /// </summary>
    internal static async Task<(byte[] Body, byte[] Sha256)> ReadBodyAsync(HttpContext context, TimeProvider clock)
    {
        var request = context.Request;
        if (request.ContentLength > MaxBodyBytes)
        {
            throw TooLarge();
        }

        using var deadline = new CancellationTokenSource(BodyTimeout, clock);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, context.RequestAborted);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var body = new MemoryStream(request.ContentLength is { } length ? (int)length : 0);
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancel.Token).ConfigureAwait(false)) > 0)
            {
                if (body.Length + read > MaxBodyBytes)
                {
                    throw TooLarge();
                }

                hash.AppendData(chunk, 0, read);
                body.Write(chunk, 0, read);
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
        {
            throw new BadHttpRequestException($"The request body was not received within {BodyTimeout.TotalSeconds:0} seconds.", StatusCodes.Status408RequestTimeout);
        }
        catch (IOException e) when (e is not BadHttpRequestException && !context.RequestAborted.IsCancellationRequested)
        {
            // Kestrel reports some malformed chunked framing (a chunk size beyond int) as a bare IOException.
            throw new BadHttpRequestException($"The request body could not be read: {EcsText.Cut(e.Message)}", StatusCodes.Status400BadRequest);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return (body.ToArray(), hash.GetHashAndReset());
    }

    private static BadHttpRequestException TooLarge() =>
        new($"The request body is larger than {MaxBodyBytes} bytes.", StatusCodes.Status413PayloadTooLarge);

    private static int StatusOf(string type) => type switch
    {
        RequestAuthenticator.MissingAuthenticationToken => StatusCodes.Status403Forbidden,
        _ => StatusCodes.Status400BadRequest,
    };

    private static Task WriteErrorAsync(HttpContext context, int status, string type, string message)
    {
        if (context.Response.HasStarted)
        {
            return Task.CompletedTask;
        }

        var json = System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["__type"] = type,
            ["message"] = EcsText.WellFormed(EcsText.Cut(message, MaxMessageLength)),
        });
        return WriteAsync(context, status, json);
    }

    private static async Task WriteAsync(HttpContext context, int status, string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        context.Response.StatusCode = status;
        context.Response.ContentType = ContentType;
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
    }
}
