using System.Runtime.CompilerServices;
using System.Text.Json;
using Grpc.Core;
using Orchestrator.Contracts.Cluster;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Json;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Cli;

/// <summary>
/// The cluster API with ECS's request and response shapes, and its failures translated into what a user should see:
/// an ECS error as the AWS CLI prints it (exit 254), an unreachable control plane (exit 255); see <see cref="ControlPlane.Translate"/>.
/// </summary>
internal sealed class EcsClient
{
    private readonly ControlPlane _controlPlane;
    private readonly ClusterApi.ClusterApiClient _api;

    public EcsClient(ControlPlane controlPlane)
    {
        _controlPlane = controlPlane;
        _api = new ClusterApi.ClusterApiClient(controlPlane.Invoker);
    }

    public Task<TResponse> CallAsync<TResponse>(string action, object request, CancellationToken cancellationToken) =>
        CallJsonAsync<TResponse>(action, JsonSerializer.Serialize(request, request.GetType(), EcsJson.Options), cancellationToken);

    /// <summary>Sends a request document as it is (e.g. a task definition file), for the server to validate.</summary>
    public async Task<TResponse> CallJsonAsync<TResponse>(string action, string requestJson, CancellationToken cancellationToken)
    {
        EcsReply reply;
        try
        {
            reply = await _api.CallAsync(new EcsCall { Action = action, Json = requestJson }, cancellationToken: cancellationToken);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        catch (RpcException e)
        {
            throw Translate(e, action);
        }

        return Read<TResponse>(action, reply);
    }

    /// <summary>The named tasks' DescribeTasks response now and after each change, until cancelled.</summary>
    public async IAsyncEnumerable<TasksResponse> WatchTasksAsync(
        string cluster, IEnumerable<string> tasks, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        const string action = "WatchTasks";
        using var call = _api.WatchTasks(new WatchTasksRequest { Cluster = cluster, Tasks = { tasks } }, cancellationToken: cancellationToken);
        while (true)
        {
            EcsReply reply;
            try
            {
                if (!await call.ResponseStream.MoveNext(cancellationToken))
                {
                    yield break;
                }

                reply = call.ResponseStream.Current;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException(cancellationToken);
            }
            catch (RpcException e)
            {
                throw Translate(e, action);
            }

            yield return Read<TasksResponse>(action, reply);
        }
    }

    /// <summary>What a container instance's task containers use, as its agent last reported; null from a control plane that cannot say.</summary>
    public async Task<InstanceUsageReply?> InstanceUsageAsync(string cluster, string instance, CancellationToken cancellationToken)
    {
        try
        {
            return await _api.InstanceUsageAsync(new InstanceUsageRequest { Cluster = cluster, ContainerInstance = instance }, cancellationToken: cancellationToken);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unimplemented)
        {
            return null; // an older control plane
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        catch (RpcException e)
        {
            throw Translate(e, "InstanceUsage");
        }
    }

    /// <summary>A service's discovery endpoints as the control plane's JSON document (DNS name, TTL, endpoints).</summary>
    public async Task<string> ServiceEndpointsAsync(string cluster, string name, CancellationToken cancellationToken)
    {
        try
        {
            return (await _api.ServiceEndpointsAsync(new ServiceEndpointsRequest { Cluster = cluster, Name = name }, cancellationToken: cancellationToken)).Json;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        catch (RpcException e)
        {
            throw Translate(e, "ServiceEndpoints");
        }
    }

    /// <summary>The task's events, oldest first.</summary>
    public async Task<TaskEventsReply> TaskEventsAsync(string cluster, string task, CancellationToken cancellationToken)
    {
        try
        {
            return await _api.TaskEventsAsync(new TaskEventsRequest { Cluster = cluster, Task = task }, cancellationToken: cancellationToken);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        catch (RpcException e)
        {
            throw Translate(e, "TaskEvents");
        }
    }

    /// <summary>A task's usage samples: the latest, or with follow each new one until cancelled.</summary>
    public async IAsyncEnumerable<TaskStatsReply> TaskStatsAsync(TaskStatsRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var call = _api.TaskStats(request, cancellationToken: cancellationToken);
        while (await NextAsync(call.ResponseStream, "TaskStats", cancellationToken) is { } sample)
        {
            yield return sample;
        }
    }

    /// <summary>A task's log output as the control plane streams it, until it ends or is cancelled.</summary>
    public async IAsyncEnumerable<TaskOutput> TaskLogsAsync(TaskLogsRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var call = _api.TaskLogs(request, cancellationToken: cancellationToken);
        while (await NextAsync(call.ResponseStream, "TaskLogs", cancellationToken) is { } output)
        {
            yield return output;
        }
    }

    /// <summary>Starts a command's stream; read its answers with <see cref="NextAsync"/>.</summary>
    public AsyncDuplexStreamingCall<ExecInput, TaskOutput> ExecuteCommand(CancellationToken cancellationToken) =>
        _api.ExecuteCommand(cancellationToken: cancellationToken);

    /// <summary>The stream's next message, null at its end; failures as <see cref="CallJsonAsync{TResponse}"/> reports them.</summary>
    public async Task<T?> NextAsync<T>(IAsyncStreamReader<T> stream, string action, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            return await stream.MoveNext(cancellationToken) ? stream.Current : null;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        catch (RpcException e)
        {
            throw Translate(e, action);
        }
    }

    private static TResponse Read<TResponse>(string action, EcsReply reply)
    {
        try
        {
            return EcsJson.Deserialize<TResponse>(reply.Json);
        }
        catch (JsonException e)
        {
            throw new CliException(ExitCodes.ServiceError, $"The {action} response could not be read: {e.Message}");
        }
    }

    private CliException Translate(RpcException error, string action) => _controlPlane.Translate(error, action);
}
