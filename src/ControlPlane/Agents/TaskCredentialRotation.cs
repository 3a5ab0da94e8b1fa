using Orchestrator.ControlPlane.Security;
using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Agents;

/// <summary>
/// Keeps task role keys fresh, as ECS pushes new credentials before the old expire: every tenth of
/// <see cref="TaskCredentialStore.Lifetime"/> (at most a minute) each live task with a role whose newest keys have
/// less than half their lifetime left (or none: a restarted control plane) gets new ones down its instance's session
/// (<c>ControlMessage.task_credentials</c>); the agent serves them under the same credentials ID. Keys of tasks that
/// stopped or are gone are dropped. <see cref="RotateAsync"/> is one pass (tests call it on a fake clock).
/// </summary>
public sealed partial class TaskCredentialRotation(
    StateStore store, AgentSessions sessions, TaskRoleCredentials roles, TaskCredentialStore credentials, TimeProvider clock,
    ILogger<TaskCredentialRotation> logger) : BackgroundService
{
    /// <summary>Instances whose agent (re)connected: it holds no keys after a restart, so its tasks get new ones.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _reconnected = new(StringComparer.Ordinal);

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        sessions.ConnectivityChanged += OnConnectivity;
        return base.StartAsync(cancellationToken);
    }

    public override Task StopAsync(CancellationToken cancellationToken)
    {
        sessions.ConnectivityChanged -= OnConnectivity;
        return base.StopAsync(cancellationToken);
    }

    /// <summary>Called when an instance's agent connects or disconnects.</summary>
    public void OnConnectivity(string instanceArn)
    {
        if (sessions.IsConnected(instanceArn))
        {
            _reconnected[instanceArn] = true;
        }
    }

    /// <summary>Whether a task may hold (and use) role keys: placed, meant to run and not yet stopped.</summary>
    public static bool IsLive(TaskRecord? task) =>
        task is not null && task.Task.DesiredStatus == TaskStatus.Running && task.Task.LastStatus != TaskStatus.Stopped;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = TimeSpan.FromTicks(Math.Clamp(credentials.Lifetime.Ticks / 10, TimeSpan.TicksPerSecond, TimeSpan.TicksPerMinute));
        using var timer = new PeriodicTimer(period, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    Rotate();
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    Log.Failed(logger, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One pass; returns how many tasks were sent new keys.</summary>
    public int Rotate()
    {
        var state = store.Current;
        foreach (var taskArn in credentials.Tasks())
        {
            if (!IsLive(state.Task(taskArn)))
            {
                credentials.Revoke(taskArn);
            }
        }

        var now = clock.GetUtcNow();
        var sent = 0;
        var reconnected = _reconnected.Keys.ToHashSet(StringComparer.Ordinal);
        foreach (var instance in reconnected)
        {
            _reconnected.TryRemove(instance, out _);
        }

        foreach (var task in state.Tasks.Values)
        {
            if (!IsLive(task) || task.Task.ContainerInstanceArn is not { } instance || task.Task.LastStatus == TaskStatus.Provisioning
                || state.TaskDefinitionByArn(task.Task.TaskDefinitionArn) is not { } definition || TaskRoleCredentials.RoleOf(task, definition) is null
                || !sessions.IsConnected(instance))
            {
                continue;
            }

            if (!reconnected.Contains(instance) && credentials.Latest(task.Arn) is { } latest && latest.Expiration - now > credentials.Lifetime / 2)
            {
                continue;
            }

            if (roles.Issue(task, definition, out var failure) is not { } fresh)
            {
                // The role was deleted: the task keeps running (as ECS's would) but gets no new keys.
                Log.NoRole(logger, task.Arn, failure ?? "");
                credentials.Revoke(task.Arn);
                continue;
            }

            if (sessions.TrySend(instance, ControlMessages.Credentials(fresh)))
            {
                sent++;
                Log.Rotated(logger, task.Arn, fresh.AccessKeyId);
            }
        }

        return sent;
    }
}
