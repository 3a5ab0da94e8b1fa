using System.Diagnostics;
using Orchestrator.Agent.Telemetry;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Docker;
using Orchestrator.Agent.Metadata;
using Orchestrator.Agent.Ports;
using Orchestrator.Agent.State;
using Orchestrator.Ecs.Json;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Agent.Engine;

/// <summary>
/// Runs the tasks this host is given. One loop owns all task state: commands (run, stop), the outcomes of Docker
/// operations and Docker's events arrive as messages, <see cref="TaskStateMachine"/> decides, the result is committed
/// to <see cref="AgentStore"/> (with a sequenced state change when the control plane must hear of it), and the Docker
/// operations it asks for run in the background and report back as messages. The engine never talks to the control
/// plane: the session sends whatever the store's outbox holds.
/// </summary>
/// <remarks>
/// Three helpers do the work beside the loop: <see cref="DockerOperations"/> runs the Docker calls,
/// <see cref="HostPortPicker"/> picks dynamic host ports, and <see cref="AwsvpcPause"/> runs awsvpc tasks' pause
/// containers. This file holds all of the engine's state; the partial files hold its message handlers
/// (<c>TaskEngine.Messages.cs</c>) and how it turns the state machine's actions into Docker operations
/// (<c>TaskEngine.Actions.cs</c>).
/// </remarks>
public sealed partial class TaskEngine : IAsyncDisposable
{
    /// <summary>How long to wait before retrying an operation that failed without settling the container (a stop).</summary>
    internal static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan ShutdownWait = TimeSpan.FromSeconds(10);

    private readonly IDockerDriver _driver;
    private readonly AgentStore _store;
    private readonly AgentOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<TaskEngine> _logger;
    private readonly Channel<EngineMessage> _inbox = Channel.CreateUnbounded<EngineMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, ManagedTask> _tasks = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly DockerOperations _docker;
    private readonly HostPortPicker _hostPorts;
    private readonly AwsvpcPause _pause;
    private readonly ContainerMetadata? _metadata;
    private readonly ImageTracker? _images;
    private Task? _loop;
    private Task? _watcher;
    private ITimer? _sweep;
    private int _disposed;

    /// <summary>The Docker host's OS (<c>linux</c>, <c>windows</c>), read before the loop takes any command.</summary>
    private string _osType = "linux";

    public TaskEngine(
        IDockerDriver driver,
        AgentStore store,
        IOptions<AgentOptions> options,
        TimeProvider time,
        ILogger<TaskEngine> logger,
        DynamicPortRange portRange,
        IPortProbe portProbe,
        ContainerMetadata? metadata = null,
        ImageTracker? images = null,
        TaskNotes? notes = null,
        PulledImages? pulled = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _driver = driver;
        _store = store;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _images = images;
        _docker = new DockerOperations(driver, _options.MaxConcurrentStarts, Post, logger, _stopping.Token, images, notes, pulled);
        _hostPorts = new HostPortPicker(portRange, portProbe, store, _options, time, logger);
        _pause = new AwsvpcPause(driver, _options, logger, metadata);
        _metadata = metadata;
    }

    /// <summary>How often stopped tasks are checked for cleanup and failed stops are retried.</summary>
    internal TimeSpan SweepInterval => _options.TaskCleanupWait < TimeSpan.FromSeconds(10) ? _options.TaskCleanupWait : TimeSpan.FromSeconds(10);

    /// <summary>
    /// Loads the known tasks and starts the loop. Before it takes any command the loop inspects the containers of
    /// every unfinished task: running ones are adopted as they are, ones that died meanwhile are reported STOPPED.
    /// </summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_loop is not null)
        {
            throw new InvalidOperationException("The task engine has already been started.");
        }

        _pause.LoadImage();
        foreach (var record in _store.LoadTasks())
        {
            var (definition, overrides, _) = Parse(record.TaskDefinitionJson, record.OverridesJson);
            _tasks[record.TaskArn] = NewManagedTask(record, definition, overrides);
            _images?.TaskKnown(record.TaskArn, definition?.ContainerDefinitions.Select(c => c.Image) ?? []);
        }

        var token = _stopping.Token;
        _loop = Task.Run(() => RunAsync(token), CancellationToken.None);
        var watcher = new DockerEventWatcher(_driver, NewBackoff(), _time, _logger, e => Post(new DockerEventReceived(e)), () => Post(new ResyncRequested()));
        _watcher = Task.Run(() => watcher.RunAsync(token), CancellationToken.None);
        _sweep = _time.CreateTimer(_ => Post(new SweepDue()), null, SweepInterval, SweepInterval);
        return Task.CompletedTask;
    }

    /// <summary>Runs a task the control plane placed here; a task the engine already knows is not started again.</summary>
    public void RunTask(RunTaskCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        Post(new RunTaskMessage(command));
    }

    /// <summary>Sets the task's desired status to STOPPED.</summary>
    public void StopTask(string taskArn, string reason) => Post(new StopTaskMessage(taskArn, reason));

    /// <summary>Stops the engine; the containers keep running, to be adopted by the next start.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);

        _inbox.Writer.TryComplete();
        if (_sweep is not null)
        {
            await _sweep.DisposeAsync().ConfigureAwait(false);
        }

        var pending = new List<Task>(_docker.Running);
        if (_loop is not null)
        {
            pending.Add(_loop);
        }

        if (_watcher is not null)
        {
            pending.Add(_watcher);
        }

        try
        {
            // Real time on purpose: a fake clock in tests must not make shutdown wait forever.
            await Task.WhenAll(pending).WaitAsync(ShutdownWait, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException)
        {
        }

        foreach (var task in _tasks.Values)
        {
            task.Dispose();
        }

        _stopping.Dispose();
        _docker.Dispose();
        _pause.Dispose();
    }

    private void Post(EngineMessage message) => _inbox.Writer.TryWrite(message);

    /// <summary>The task as the engine runs it: an awsvpc task with its pause container first; others as defined.</summary>
    private ManagedTask NewManagedTask(StoredTask record, TaskDefinition? definition, TaskOverride? overrides) =>
        new(record, record.Network is not null && definition is not null ? _pause.WithPause(definition) : definition, overrides);

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ReadHostAsync(cancellationToken).ConfigureAwait(false);
            await ReconcileAsync(cancellationToken).ConfigureAwait(false);
            await CollectOrphansAsync(cancellationToken).ConfigureAwait(false);
            foreach (var task in _tasks.Values.ToList())
            {
                Drive(task);
            }

            await foreach (var message in _inbox.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    Handle(message);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    Log.MessageFailed(_logger, message.GetType().Name, e);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>What the Docker host is (its OS decides network modes and reserved ports), retrying until Docker answers.</summary>
    private async Task ReadHostAsync(CancellationToken cancellationToken)
    {
        var backoff = NewBackoff();
        while (true)
        {
            try
            {
                var info = await _driver.GetHostInfoAsync(cancellationToken).ConfigureAwait(false);
                _osType = DockerOs.IsWindows(info.OsType) ? "windows" : "linux";
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.DockerUnavailable(_logger, e.Message);
                await Task.Delay(backoff.Next(), _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>After a restart: removes our containers of tasks this agent does not know (once it has an instance ARN).</summary>
    private async Task CollectOrphansAsync(CancellationToken cancellationToken)
    {
        if (_store.GetContainerInstanceArn() is not { } instanceArn)
        {
            return;
        }

        try
        {
            // The store, not this engine's memory, says which tasks exist: a task is recorded before its containers are created.
            var known = _store.LoadTasks().Select(t => t.TaskArn).ToHashSet(StringComparer.Ordinal);
            await OrphanCollector.CollectAsync(_driver, instanceArn, known, _logger, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.DockerUnavailable(_logger, e.Message); // tried again at the next start; orphans do no harm meanwhile
        }
    }

    /// <summary>After a restart: inspect the containers of unfinished tasks, retrying until Docker answers.</summary>
    private async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        var backoff = NewBackoff();
        foreach (var task in _tasks.Values.Where(t => t.Record.KnownStatus != LifecycleStatus.Stopped).ToList())
        {
            foreach (var container in task.Record.Containers.Where(c => c.KnownStatus != LifecycleStatus.Stopped).ToList())
            {
                var reference = container.RuntimeId ?? container.DockerName;
                if (reference is null)
                {
                    continue;
                }

                ContainerInspection? inspection;
                while (true)
                {
                    try
                    {
                        inspection = await _driver.InspectContainerAsync(reference, cancellationToken).ConfigureAwait(false);
                        break;
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        Log.DockerUnavailable(_logger, e.Message);
                        await Task.Delay(backoff.Next(), _time, cancellationToken).ConfigureAwait(false);
                    }
                }

                if (inspection is { State: ContainerRunState.Running })
                {
                    Log.ContainerAdopted(_logger, task.Record.TaskArn, container.Name, inspection.Id);
                }

                if (Translate(task, container, inspection) is { } observed)
                {
                    Process(task, observed, drive: false);
                }
            }
        }
    }

    /// <summary>Folds an event into the task, commits it, and (unless told not to) moves the task on.</summary>
    private void Process(ManagedTask task, TaskEvent taskEvent, bool drive = true)
    {
        Commit(task, TaskStateMachine.Apply(task.Record, taskEvent, _time.GetUtcNow()));
        if (task.Record.DesiredStatus == LifecycleStatus.Stopped && !task.PullCancellation.IsCancellationRequested)
        {
            task.PullCancellation.Cancel();
        }

        if (drive)
        {
            Drive(task);
        }
    }

    private void Drive(ManagedTask task)
    {
        if (task.Definition is null || task.CleaningUp)
        {
            return;
        }

        var now = _time.GetUtcNow();
        var (next, actions) = TaskStateMachine.Advance(task.Record, task.Busy(now), now, task.Graph);
        Commit(task, next);
        foreach (var action in actions)
        {
            Launch(task, action);
        }

        var taskArn = task.Record.TaskArn;
        task.WakeUpAt(task.Graph.NextDeadline(task.Record, now), _time, () => Post(new WakeDue(taskArn)));
    }

    /// <summary>
    /// Persists the task, with a sequenced state change in the outbox when the control plane must hear of it, and only
    /// then makes it the engine's current view.
    /// </summary>
    private void Commit(ManagedTask task, StoredTask next, bool isNew = false)
    {
        var before = isNew ? null : task.Record;
        if (ReferenceEquals(before, next))
        {
            return;
        }

        if (TaskReport.IsReportableChange(before, next))
        {
            var change = _store.SaveTaskAndReport(next, TaskReport.Of(next));
            if (task.Trace != default)
            {
                // The report (RUNNING, STOPPED, …) queued for the control plane, in the task's launch trace.
                using var span = AgentMetrics.Source.StartActivity("agent.report", ActivityKind.Producer, task.Trace);
                span?.SetTag("orch.task_arn", next.TaskArn);
                span?.SetTag("orch.status", change.Task.LastStatus.ToString());
            }

            Log.StateChanged(_logger, next.TaskArn, change.Sequence, change.Task.LastStatus, next.StopCode ?? "", next.StoppedReason ?? "");
        }
        else
        {
            _store.SaveTask(next);
        }

        task.Record = next;
    }

    private static (TaskDefinition? Definition, TaskOverride? Overrides, string? Problem) Parse(string definitionJson, string overridesJson)
    {
        try
        {
            var definition = EcsJson.Deserialize<TaskDefinition>(definitionJson);
            var overrides = string.IsNullOrWhiteSpace(overridesJson) ? null : EcsJson.Deserialize<TaskOverride>(overridesJson);
            return (definition, overrides, null);
        }
        catch (JsonException e)
        {
            return (null, null, $"CannotCreateContainerError: the task definition or overrides could not be read: {e.Message}");
        }
    }

    private Backoff NewBackoff() =>
        new(_options.ReconnectInitialDelay, _options.ReconnectMaxDelay, _options.ReconnectMultiplier, _options.ReconnectJitter);
}
