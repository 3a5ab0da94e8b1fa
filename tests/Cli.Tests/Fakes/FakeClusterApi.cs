using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Grpc.Core;
using Orchestrator.Contracts.Cluster;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Json;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Cli.Tests.Fakes;

/// <summary>One Call the CLI made: the ECS action and the request document as sent.</summary>
internal sealed record RecordedCall(string Action, string Json)
{
    public JsonNode Request => JsonNode.Parse(Json) ?? throw new InvalidOperationException("The request is JSON null.");
}

/// <summary>
/// The cluster API with canned answers: records every call, replies with the document set up for its action, fails
/// the way the real control plane does (status detail + <c>ecs-error-type</c> trailer).
/// </summary>
internal sealed class FakeClusterApi : ClusterApi.ClusterApiBase
{
    private readonly ConcurrentDictionary<string, Func<RecordedCall, object>> _handlers = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _watchRepliesSent = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IReadOnlyList<TasksResponse> _watchReplies = [];
    private bool _endWatchAfterReplies;
    private RpcException? _watchError;

    public ConcurrentQueue<RecordedCall> Calls { get; } = new();

    public ConcurrentQueue<WatchTasksRequest> WatchRequests { get; } = new();

    /// <summary>Completes once WatchTasks has sent every reply set up with <see cref="OnWatch"/>.</summary>
    public Task WatchRepliesSent => _watchRepliesSent.Task;

    public IReadOnlyList<RecordedCall> CallsTo(string action) => [.. Calls.Where(c => c.Action == action)];

    /// <summary>Answers <paramref name="action"/> with the document <paramref name="reply"/> makes of the call.</summary>
    public void On(string action, Func<RecordedCall, object> reply) => _handlers[action] = reply;

    public void On(string action, object reply) => On(action, _ => reply);

    public void Fail(string action, string errorType, string message, StatusCode status = StatusCode.InvalidArgument) =>
        On(action, _ => throw new RpcException(new Status(status, message), new Metadata { { EcsErrors.GrpcTypeTrailer, errorType } }));

    /// <summary>What WatchTasks sends; then it keeps the stream open until the client leaves, unless told to end it.</summary>
    public void OnWatch(IReadOnlyList<TasksResponse> replies, bool endAfterReplies = false)
    {
        _watchReplies = replies;
        _endWatchAfterReplies = endAfterReplies;
    }

    /// <summary>WatchTasks fails, after any replies, as the control plane does for e.g. an unknown cluster.</summary>
    public void FailWatch(string errorType, string message) =>
        _watchError = new RpcException(new Status(StatusCode.NotFound, message), new Metadata { { EcsErrors.GrpcTypeTrailer, errorType } });

    /// <summary>What InstanceUsage answers; null: the call is not implemented (an older control plane).</summary>
    public InstanceUsageReply? Usage { get; set; }

    public override Task<InstanceUsageReply> InstanceUsage(InstanceUsageRequest request, ServerCallContext context) =>
        Usage is { } usage ? Task.FromResult(usage) : throw new RpcException(new Status(StatusCode.Unimplemented, "not implemented"));

    public override Task<EcsReply> Call(EcsCall request, ServerCallContext context)
    {
        var call = new RecordedCall(request.Action, request.Json);
        Calls.Enqueue(call);
        if (!_handlers.TryGetValue(request.Action, out var handler))
        {
            throw new RpcException(
                new Status(StatusCode.Unimplemented, $"No canned reply for {request.Action}."),
                new Metadata { { EcsErrors.GrpcTypeTrailer, EcsErrors.UnknownOperation } });
        }

        var reply = handler(call);
        return Task.FromResult(new EcsReply { Json = reply as string ?? EcsJson.Serialize(reply) });
    }

    public override async Task WatchTasks(WatchTasksRequest request, IServerStreamWriter<EcsReply> responseStream, ServerCallContext context)
    {
        WatchRequests.Enqueue(request);
        foreach (var reply in _watchReplies)
        {
            await responseStream.WriteAsync(new EcsReply { Json = EcsJson.Serialize(reply) }, context.CancellationToken);
        }

        _watchRepliesSent.TrySetResult();
        if (_watchError is not null)
        {
            throw _watchError;
        }

        if (_endWatchAfterReplies)
        {
            return;
        }

        try
        {
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The client stopped watching.
        }
    }
}
