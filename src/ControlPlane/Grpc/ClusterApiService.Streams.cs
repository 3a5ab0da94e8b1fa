using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Orchestrator.Contracts.Cluster;
using Orchestrator.ControlPlane.Security;
using Orchestrator.ControlPlane.Tasks;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Grpc;

/// <summary>Logs and commands of a running task, streamed through the agent that runs it (<see cref="ITaskStreams"/>).</summary>
public sealed partial class ClusterApiService
{
    /// <summary>The longest command accepted, all arguments together.</summary>
    public const int MaxCommandLength = 8192;

    public override async Task TaskLogs(TaskLogsRequest request, IServerStreamWriter<TaskOutput> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(responseStream);
        var token = context.CancellationToken;
        var task = await FindTaskAsync(request.Cluster, request.Task, token).ConfigureAwait(false);
        var unknown = request.Containers.FirstOrDefault(name => task.Containers?.Any(c => c.Name == name) != true);
        if (unknown is not null)
        {
            throw GrpcErrors.ToRpc(EcsException.InvalidParameter($"The task has no container named {EcsText.Cut(unknown, 64)}."));
        }

        if (request.HasTail && request.Tail < 0)
        {
            throw GrpcErrors.ToRpc(EcsException.InvalidParameter("tail must be 0 or more."));
        }

        var query = new TaskLogsQuery([.. request.Containers], request.Follow, request.Since?.ToDateTimeOffset(), request.HasTail ? request.Tail : null);
        try
        {
            await foreach (var chunk in streams.LogsAsync(task.ContainerInstanceArn!, task.TaskArn!, query, token).ConfigureAwait(false))
            {
                await responseStream.WriteAsync(ToWire(chunk), token).ConfigureAwait(false);
            }
        }
        catch (TaskStreamException e)
        {
            throw GrpcErrors.ToRpc(EcsException.Client(e.Message));
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The client stopped reading.
        }
    }

    public override async Task ExecuteCommand(IAsyncStreamReader<ExecInput> requestStream, IServerStreamWriter<TaskOutput> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(requestStream);
        ArgumentNullException.ThrowIfNull(responseStream);
        ArgumentNullException.ThrowIfNull(context);
        var token = context.CancellationToken;
        if (!await requestStream.MoveNext(token).ConfigureAwait(false) || requestStream.Current.Start is not { } start)
        {
            throw GrpcErrors.ToRpc(EcsException.InvalidParameter("An ExecuteCommand stream must open with an ExecStart."));
        }

        var task = await FindTaskAsync(start.Cluster, start.Task, token).ConfigureAwait(false);
        var container = CheckExec(task, start);
        var key = context.UserState.TryGetValue(CallAuthenticator.AccessKeyItem, out var item) && item is ManagedAccessKey k ? k.Id : "(insecure mode)";
        var program = EcsText.Cut(start.Command[0], 64);
        Log.ExecStarted(logger, key, task.TaskArn!, container, program, start.Command.Count - 1, start.Tty);
        await tasks.RecordEventAsync(task.TaskArn!,
            $"command run in container {container} by access key {key}: {program} with {start.Command.Count - 1} arguments{(start.Tty ? ", under a terminal" : "")}",
            clock.GetUtcNow(), token).ConfigureAwait(false);

        IExecSession session;
        try
        {
            session = await streams.ExecAsync(task.ContainerInstanceArn!, task.TaskArn!,
                new ExecCommand(container, [.. start.Command], start.Tty, start.Stdin, start.Size?.Rows ?? 0, start.Size?.Columns ?? 0), token).ConfigureAwait(false);
        }
        catch (TaskStreamException e)
        {
            throw GrpcErrors.ToRpc(EcsException.Client(e.Message));
        }

        await using (session.ConfigureAwait(false))
        {
            // Input and resizes until the caller closes its side or the call ends.
            _ = PumpInputAsync(requestStream, session, token);
            try
            {
                await foreach (var chunk in session.OutputAsync(token).ConfigureAwait(false))
                {
                    await responseStream.WriteAsync(ToWire(chunk), token).ConfigureAwait(false);
                }
            }
            catch (TaskStreamException e)
            {
                throw GrpcErrors.ToRpc(EcsException.Client(e.Message));
            }

            var last = new TaskOutput { Container = container };
            if (session.ExitCode is { } code)
            {
                last.ExitCode = code;
            }

            await responseStream.WriteAsync(last, token).ConfigureAwait(false);
            Log.ExecEnded(logger, task.TaskArn!, container, session.ExitCode);
        }
    }

    /// <summary>ECS Exec's rules: enabled on the task, the task and the container running, a command.</summary>
    private static string CheckExec(EcsTask task, ExecStart start)
    {
        if (!task.EnableExecuteCommand)
        {
            throw GrpcErrors.ToRpc(EcsException.InvalidParameter(
                "The execute command failed because execute command was not enabled when the task was run. Run a new task with enableExecuteCommand (orch task run --enable-execute-command)."));
        }

        if (task.LastStatus != TaskStatus.Running)
        {
            throw GrpcErrors.ToRpc(EcsException.InvalidParameter($"The task is {task.LastStatus}, not RUNNING."));
        }

        if (start.Command.Count == 0 || string.IsNullOrEmpty(start.Command[0]) || start.Command.Sum(a => a.Length) > MaxCommandLength)
        {
            throw GrpcErrors.ToRpc(EcsException.InvalidParameter($"command must name a program, with arguments of at most {MaxCommandLength} characters in all."));
        }

        var containers = task.Containers ?? [];
        var name = string.IsNullOrEmpty(start.Container)
            ? containers.Count == 1 ? containers[0].Name : throw GrpcErrors.ToRpc(EcsException.InvalidParameter("The task has more than one container: name one with container."))
            : start.Container;
        var container = containers.FirstOrDefault(c => c.Name == name)
            ?? throw GrpcErrors.ToRpc(EcsException.InvalidParameter($"The task has no container named {EcsText.Cut(name!, 64)}."));
        if (container.LastStatus != TaskStatus.Running)
        {
            throw GrpcErrors.ToRpc(EcsException.InvalidParameter($"Container {container.Name} is {container.LastStatus}, not RUNNING."));
        }

        return container.Name!;
    }

    private static async Task PumpInputAsync(IAsyncStreamReader<ExecInput> requestStream, IExecSession session, CancellationToken token)
    {
        try
        {
            while (await requestStream.MoveNext(token).ConfigureAwait(false))
            {
                var input = requestStream.Current;
                switch (input.KindCase)
                {
                    case ExecInput.KindOneofCase.Stdin:
                        await session.WriteInputAsync(input.Stdin.Memory, token).ConfigureAwait(false);
                        break;
                    case ExecInput.KindOneofCase.CloseStdin:
                        await session.CloseInputAsync(token).ConfigureAwait(false);
                        break;
                    case ExecInput.KindOneofCase.Resize:
                        await session.ResizeAsync(input.Resize.Rows, input.Resize.Columns, token).ConfigureAwait(false);
                        break;
                }
            }

            await session.CloseInputAsync(token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or RpcException or IOException or InvalidOperationException)
        {
            // The caller or the command ended.
        }
    }

    private async Task<EcsTask> FindTaskAsync(string cluster, string reference, CancellationToken token)
    {
        if (string.IsNullOrEmpty(reference))
        {
            throw GrpcErrors.ToRpc(EcsException.InvalidParameter("task is required."));
        }

        var found = await GrpcErrors.Translate(() => tasks.DescribeTasksAsync(new DescribeTasksRequest { Cluster = cluster, Tasks = [reference] }, token)).ConfigureAwait(false);
        var task = found.Tasks.FirstOrDefault() ?? throw GrpcErrors.ToRpc(EcsException.InvalidParameter($"Task {EcsText.Cut(reference, 200)} not found."));
        return task.ContainerInstanceArn is null
            ? throw GrpcErrors.ToRpc(EcsException.InvalidParameter("The task was never placed on a container instance."))
            : task;
    }

    public override async Task TaskStats(TaskStatsRequest request, IServerStreamWriter<TaskStatsReply> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(responseStream);
        var token = context.CancellationToken;
        var task = await FindTaskAsync(request.Cluster, request.Task, token).ConfigureAwait(false);
        try
        {
            await foreach (var usage in streams.StatsAsync(task.ContainerInstanceArn!, task.TaskArn!, request.Follow, token).ConfigureAwait(false))
            {
                var reply = new TaskStatsReply { SampledAt = Timestamp.FromDateTimeOffset(usage.SampledAt) };
                reply.Containers.AddRange(usage.Containers.Select(c => new Contracts.Cluster.ContainerUsage
                {
                    Name = c.Name,
                    CpuPercent = c.CpuPercent,
                    MemoryUsedBytes = c.MemoryUsedBytes,
                    MemoryLimitBytes = c.MemoryLimitBytes,
                    NetworkRxBytes = c.NetworkRxBytes,
                    NetworkTxBytes = c.NetworkTxBytes,
                    BlockReadBytes = c.BlockReadBytes,
                    BlockWriteBytes = c.BlockWriteBytes,
                }));
                await responseStream.WriteAsync(reply, token).ConfigureAwait(false);
            }
        }
        catch (TaskStreamException e)
        {
            throw GrpcErrors.ToRpc(EcsException.Client(e.Message));
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The client stopped watching.
        }
    }

    public override async Task<InstanceUsageReply> InstanceUsage(InstanceUsageRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        if (string.IsNullOrEmpty(request.ContainerInstance))
        {
            throw GrpcErrors.ToRpc(EcsException.InvalidParameter("containerInstance is required."));
        }

        var found = await GrpcErrors.Translate(() => instances.DescribeContainerInstancesAsync(
            new DescribeContainerInstancesRequest { Cluster = request.Cluster, ContainerInstances = [request.ContainerInstance] }, context.CancellationToken)).ConfigureAwait(false);
        var arn = found.ContainerInstances.FirstOrDefault()?.ContainerInstanceArn
            ?? throw GrpcErrors.ToRpc(EcsException.InvalidParameter($"Container instance {EcsText.Cut(request.ContainerInstance, 200)} not found."));
        var reply = new InstanceUsageReply { ContainerInstanceArn = arn };
        if (connections.UsageOf(arn) is { } usage)
        {
            reply.Reported = true;
            reply.ReportedAt = Timestamp.FromDateTimeOffset(usage.At);
            reply.CpuPercent = usage.CpuPercent;
            reply.MemoryUsedBytes = usage.MemoryUsedBytes;
            reply.RunningContainers = usage.RunningContainers;
        }

        return reply;
    }

    public override Task<TaskEventsReply> TaskEvents(TaskEventsRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrEmpty(request.Task))
        {
            throw GrpcErrors.ToRpc(EcsException.InvalidParameter("task is required."));
        }

        IReadOnlyList<State.TaskEvent> events;
        try
        {
            events = tasks.Events(request.Cluster, request.Task);
        }
        catch (EcsException e)
        {
            throw GrpcErrors.ToRpc(e);
        }

        var reply = new TaskEventsReply();
        reply.Events.AddRange(events.Select(e => new Contracts.Cluster.TaskEvent { At = Timestamp.FromDateTimeOffset(e.At), Message = e.Message }));
        return Task.FromResult(reply);
    }

    private static TaskOutput ToWire(TaskOutputChunk chunk)
    {
        var output = new TaskOutput { Container = chunk.Container, Fd = chunk.Fd, Data = ByteString.CopyFrom(chunk.Data.Span) };
        if (chunk.Time is { } time)
        {
            output.Time = Timestamp.FromDateTimeOffset(time);
        }

        return output;
    }
}
