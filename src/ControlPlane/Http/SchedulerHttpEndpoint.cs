using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.ControlPlane.Schedules;
using Orchestrator.Ecs;

namespace Orchestrator.ControlPlane.Http;

/// <summary>
/// EventBridge Scheduler's API (restJson1, signing name <c>scheduler</c>) on the ECS API's HTTP port, so
/// <c>aws scheduler … --endpoint-url</c> and the SDKs work unchanged: <c>POST|GET|PUT|DELETE /schedules/{Name}</c> and
/// <c>GET /schedules</c>. Authenticated as the ECS API is (SigV4 over method, path, query, headers and body; the same
/// keys, read-only keys limited to Get and List); errors as the scheduler's (<c>x-amzn-ErrorType</c> and
/// <c>{"Message": …}</c>).
/// </summary>
public static class SchedulerHttpEndpoint
{
    public const string SigningName = "scheduler";
    public const string ContentType = "application/json";
    private static readonly string[] RequiredSignedHeaders = ["host", "x-amz-date"];

    public static void MapSchedulerApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/schedules/{name}", (HttpContext c, string name) => HandleAsync(c, "CreateSchedule", name));
        endpoints.MapGet("/schedules/{name}", (HttpContext c, string name) => HandleAsync(c, "GetSchedule", name));
        endpoints.MapPut("/schedules/{name}", (HttpContext c, string name) => HandleAsync(c, "UpdateSchedule", name));
        endpoints.MapDelete("/schedules/{name}", (HttpContext c, string name) => HandleAsync(c, "DeleteSchedule", name));
        endpoints.MapGet("/schedules", (HttpContext c) => HandleAsync(c, "ListSchedules", null));
    }

    private static async Task HandleAsync(HttpContext context, string action, string? name)
    {
        var services = context.RequestServices;
        var log = services.GetRequiredService<EcsRequestLog>();
        var requestId = Guid.NewGuid().ToString();
        context.Response.Headers["x-amzn-RequestId"] = requestId;
        var remote = context.Connection.RemoteIpAddress?.ToString() ?? "local";
        try
        {
            var signed = services.GetRequiredService<RequestAuthenticator>().Authenticate(context, SigningName, RequiredSignedHeaders);
            var (body, hash) = await EcsHttpEndpoint.ReadBodyAsync(context, services.GetRequiredService<TimeProvider>()).ConfigureAwait(false);
            signed?.Verify(hash);
            if (signed is { ReadOnly: true } && !Security.ReadOnlyActions.Allows(action))
            {
                throw new EcsException(EcsHttpEndpoint.AccessDenied, $"User: {signed.AccessKeyId} is not authorized to perform: scheduler:{action} (the access key is read-only).");
            }

            if (signed?.Role is { } role)
            {
                // A task role's keys: the role's policy decides, on the schedule's ARN (or * for ListSchedules).
                var arns = services.GetRequiredService<Arns>();
                var resource = name is null ? "*" : $"arn:aws:scheduler:{arns.Region}:{arns.Account}:schedule/default/{name}";
                if (!role.Policy.Allows("scheduler:" + action, resource))
                {
                    throw new EcsException(EcsHttpEndpoint.AccessDenied,
                        $"User: {role.AssumedRoleArn(arns.Account)} is not authorized to perform: scheduler:{action} on resource: {EcsText.Cut(resource, 300)}");
                }
            }

            var request = Request(context, action, name, body);
            var response = await services.GetRequiredService<ScheduleActions>().InvokeAsync(action, request, context.RequestAborted).ConfigureAwait(false);
            await WriteAsync(context, StatusCodes.Status200OK, response).ConfigureAwait(false);
        }
        catch (EcsException e) when (!e.IsServerError)
        {
            log.Refused(remote, action, e.ErrorType, e.Message, requestId);
            await WriteErrorAsync(context, StatusOf(e.ErrorType), e.ErrorType, e.Message).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e)
        {
            log.Refused(remote, action, ScheduleActions.ValidationException, e.Message, requestId);
            await WriteErrorAsync(context, e.StatusCode, ScheduleActions.ValidationException, e.Message).ConfigureAwait(false);
        }
        catch (Exception e) when (context.RequestAborted.IsCancellationRequested && e is OperationCanceledException or IOException)
        {
            // The caller went away.
        }
        catch (Exception e)
        {
            log.Failed(remote, e, action, requestId);
            await WriteErrorAsync(context, StatusCodes.Status500InternalServerError, "InternalServerException", $"An internal error occurred. Request ID: {requestId}").ConfigureAwait(false);
        }
    }

    /// <summary>The operation's request document: the body's members, the name from the path and the query's members.</summary>
    private static string Request(HttpContext context, string action, string? name, byte[] body)
    {
        JsonObject document;
        if (body.Length == 0)
        {
            document = [];
        }
        else
        {
            try
            {
                document = JsonNode.Parse(body, documentOptions: new System.Text.Json.JsonDocumentOptions { MaxDepth = 32 }) as JsonObject
                    ?? throw ScheduleActions.Invalid("The request body must be a JSON object.");
            }
            catch (System.Text.Json.JsonException)
            {
                throw ScheduleActions.Invalid("The request body is not valid JSON.");
            }
        }

        if (name is not null)
        {
            document["Name"] = name;
        }

        var query = context.Request.Query;
        foreach (var (parameter, member) in action switch
        {
            "ListSchedules" => new[] { ("ScheduleGroup", "GroupName"), ("NamePrefix", "NamePrefix"), ("State", "State"), ("MaxResults", "MaxResults"), ("NextToken", "NextToken") },
            "GetSchedule" => [("groupName", "GroupName")],
            "DeleteSchedule" => [("groupName", "GroupName"), ("clientToken", "ClientToken")],
            _ => [],
        })
        {
            if (query.TryGetValue(parameter, out var values) && values.ToString() is { Length: > 0 } value)
            {
                if (member == "MaxResults")
                {
                    document[member] = int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)
                        ? n : throw ScheduleActions.Invalid("MaxResults must be a number from 1 to 100.");
                }
                else
                {
                    document[member] = value;
                }
            }
        }

        return document.ToJsonString();
    }

    private static int StatusOf(string type) => type switch
    {
        RequestAuthenticator.MissingAuthenticationToken or RequestAuthenticator.UnrecognizedClient or RequestAuthenticator.InvalidSignature or EcsHttpEndpoint.AccessDenied => StatusCodes.Status403Forbidden,
        ScheduleActions.ResourceNotFoundException => StatusCodes.Status404NotFound,
        ScheduleActions.ConflictException => StatusCodes.Status409Conflict,
        _ => StatusCodes.Status400BadRequest,
    };

    private static Task WriteErrorAsync(HttpContext context, int status, string type, string message)
    {
        if (context.Response.HasStarted)
        {
            return Task.CompletedTask;
        }

        context.Response.Headers["x-amzn-ErrorType"] = type;
        var json = new JsonObject { ["Message"] = EcsText.WellFormed(EcsText.Cut(message, 1000)) }.ToJsonString();
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
