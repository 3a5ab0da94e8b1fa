using System.Text;
using Orchestrator.ControlPlane.Application;
using Orchestrator.Ecs;

namespace Orchestrator.ControlPlane.Http;

/// <summary>
/// The ECS-compatible API on the HTTP port: the AWS JSON 1.1 protocol that the AWS CLI and SDKs speak —
/// <c>POST</c> with <c>X-Amz-Target: AmazonEC2ContainerServiceV20141113.&lt;Action&gt;</c> and a JSON body, answered with
/// the action's response document or <c>{"__type": …, "message": …}</c>.
/// </summary>
public static partial class EcsHttpEndpoint
{
    public const string TargetPrefix = "AmazonEC2ContainerServiceV20141113.";
    public const string ContentType = "application/x-amz-json-1.1";
    private const int MaxBodyBytes = 1 << 20;

    /// <summary>Any path: <c>--endpoint-url http://host:port/prefix</c> makes the CLI post to <c>/prefix</c>.</summary>
    public static void MapEcsApi(this IEndpointRouteBuilder endpoints) => endpoints.MapPost("/{**path}", HandleAsync);

    private static async Task HandleAsync(HttpContext context, EcsActions actions, RequestAuthenticator authenticator, ILoggerFactory loggers)
    {
        var requestId = Guid.NewGuid().ToString();
        context.Response.Headers["x-amzn-RequestId"] = requestId;
        var logger = loggers.CreateLogger(typeof(EcsHttpEndpoint));
        var target = context.Request.Headers["X-Amz-Target"].ToString();
        var action = target.StartsWith(TargetPrefix, StringComparison.Ordinal) ? target[TargetPrefix.Length..] : null;
        try
        {
            var body = await ReadBodyAsync(context.Request, context.RequestAborted).ConfigureAwait(false);
            authenticator.Verify(context, body);
            if (action is null)
            {
                throw new EcsException(EcsErrors.UnknownOperation,
                    target.Length == 0 ? "The X-Amz-Target header is missing." : $"Unknown target {target}: expected {TargetPrefix}<Action>.");
            }

            var response = await actions.InvokeAsync(action, Encoding.UTF8.GetString(body), context.RequestAborted).ConfigureAwait(false);
            await WriteAsync(context, StatusCodes.Status200OK, response).ConfigureAwait(false);
        }
        catch (EcsException e)
        {
            Log.Refused(logger, action ?? target, e.ErrorType, e.Message, requestId);
            await WriteErrorAsync(context, e.ErrorType, e.Message).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !context.RequestAborted.IsCancellationRequested)
        {
            Log.Failed(logger, e, action ?? target, requestId);
            await WriteErrorAsync(context, EcsErrors.Server, $"An internal error occurred. Request ID: {requestId}").ConfigureAwait(false);
        }
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            throw EcsException.Client($"The request body is larger than {MaxBodyBytes} bytes.");
        }

        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer.Length <= MaxBodyBytes ? buffer.ToArray() : throw EcsException.Client($"The request body is larger than {MaxBodyBytes} bytes.");
    }

    private static Task WriteErrorAsync(HttpContext context, string type, string message)
    {
        var status = type switch
        {
            EcsErrors.Server => StatusCodes.Status500InternalServerError,
            RequestAuthenticator.MissingAuthenticationToken => StatusCodes.Status403Forbidden,
            _ => StatusCodes.Status400BadRequest,
        };
        var json = System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string> { ["__type"] = type, ["message"] = message });
        return WriteAsync(context, status, json);
    }

    private static async Task WriteAsync(HttpContext context, int status, string json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = ContentType;
        await context.Response.WriteAsync(json, context.RequestAborted).ConfigureAwait(false);
    }
}
