using System.Text;
using Orchestrator.ControlPlane.Scaling;
using Orchestrator.Ecs;

namespace Orchestrator.ControlPlane.Http;

/// <summary>
/// Application Auto Scaling's API (AWS JSON 1.1, <c>X-Amz-Target: AnyScaleFrontendService.&lt;Action&gt;</c>, signing
/// name <c>application-autoscaling</c>) on the ECS API's HTTP port, so <c>aws application-autoscaling … --endpoint-url</c>,
/// the SDKs and Terraform's aws_appautoscaling_* resources work unchanged. The ECS endpoint hands it every POST whose
/// target has this prefix. Authenticated as the ECS API is (the same keys, read-only keys limited to Describe*);
/// errors as the JSON protocol's (<c>{"__type": …, "message": …}</c>).
/// </summary>
public static class AutoScalingHttpEndpoint
{
    public const string TargetPrefix = "AnyScaleFrontendService.";
    public const string SigningName = "application-autoscaling";
    private static readonly string[] RequiredSignedHeaders = ["host", "x-amz-date", "x-amz-target"];

    public static bool Handles(HttpContext context) =>
        context.Request.Headers["X-Amz-Target"].ToString().StartsWith(TargetPrefix, StringComparison.Ordinal);

    public static async Task HandleAsync(HttpContext context)
    {
        var services = context.RequestServices;
        var log = services.GetRequiredService<EcsRequestLog>();
        var requestId = Guid.NewGuid().ToString();
        context.Response.Headers["x-amzn-RequestId"] = requestId;
        var remote = context.Connection.RemoteIpAddress?.ToString() ?? "local";
        var action = context.Request.Headers["X-Amz-Target"].ToString()[TargetPrefix.Length..];
        try
        {
            var signed = services.GetRequiredService<RequestAuthenticator>().Authenticate(context, SigningName, RequiredSignedHeaders);
            var (body, hash) = await EcsHttpEndpoint.ReadBodyAsync(context, services.GetRequiredService<TimeProvider>()).ConfigureAwait(false);
            signed?.Verify(hash);
            if (signed is { ReadOnly: true } && !Security.ReadOnlyActions.Allows(action))
            {
                throw new EcsException(EcsHttpEndpoint.AccessDenied, $"User: {signed.AccessKeyId} is not authorized to perform: application-autoscaling:{EcsText.Cut(action, 64)} (the access key is read-only).");
            }

            if (signed?.Role is { } role)
            {
                // A task role's keys: the role's policy decides. IAM names Application Auto Scaling's actions on
                // resource * (its scalable targets have no ARN a caller knows), so that is what a statement must allow.
                var account = services.GetRequiredService<Arns>().Account;
                if (!role.Policy.Allows("application-autoscaling:" + action, "*"))
                {
                    throw new EcsException(EcsHttpEndpoint.AccessDenied,
                        $"User: {role.AssumedRoleArn(account)} is not authorized to perform: application-autoscaling:{EcsText.Cut(action, 64)} on resource: *");
                }
            }

            var response = await services.GetRequiredService<AutoScalingActions>().InvokeAsync(action, Encoding.UTF8.GetString(body), context.RequestAborted).ConfigureAwait(false);
            await WriteAsync(context, StatusCodes.Status200OK, response).ConfigureAwait(false);
        }
        catch (EcsException e) when (!e.IsServerError)
        {
            log.Refused(remote, EcsText.Cut(action, 64), e.ErrorType, e.Message, requestId);
            await WriteErrorAsync(context, StatusOf(e.ErrorType), e.ErrorType, e.Message).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e)
        {
            log.Refused(remote, EcsText.Cut(action, 64), AutoScalingActions.ValidationException, e.Message, requestId);
            await WriteErrorAsync(context, e.StatusCode, AutoScalingActions.ValidationException, e.Message).ConfigureAwait(false);
        }
        catch (Exception e) when (context.RequestAborted.IsCancellationRequested && e is OperationCanceledException or IOException)
        {
            // The caller went away.
        }
        catch (Exception e)
        {
            log.Failed(remote, e, EcsText.Cut(action, 64), requestId);
            await WriteErrorAsync(context, StatusCodes.Status500InternalServerError, "InternalServiceException", $"An internal error occurred. Request ID: {requestId}").ConfigureAwait(false);
        }
    }

    private static int StatusOf(string type) => type switch
    {
        RequestAuthenticator.MissingAuthenticationToken or RequestAuthenticator.UnrecognizedClient or RequestAuthenticator.InvalidSignature or EcsHttpEndpoint.AccessDenied => StatusCodes.Status403Forbidden,
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
            ["message"] = EcsText.WellFormed(EcsText.Cut(message, 1000)),
        });
        return WriteAsync(context, status, json);
    }

    private static async Task WriteAsync(HttpContext context, int status, string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        context.Response.StatusCode = status;
        context.Response.ContentType = EcsHttpEndpoint.ContentType;
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
    }
}
