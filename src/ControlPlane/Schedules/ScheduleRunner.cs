using System.Security.Cryptography;
using System.Text;
using Orchestrator.ControlPlane.Application;
using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Schedules;

/// <summary>
/// Fires due schedules on the control plane's <see cref="TimeProvider"/>: RunTask through <see cref="TaskActions"/>
/// (validation, placement, dispatch — the API's own path), once per scheduled time. Each firing is stored before its
/// tasks are asked for (<see cref="ScheduleRecord.LastFireTime"/> and a <c>PENDING</c> run), and RunTask gets a
/// clientToken made from the schedule and the time; a control plane stopped between the two finds the pending run at
/// start and asks again with the same token, which returns the tasks already started rather than new ones.
/// </summary>
public sealed partial class ScheduleRunner(StateStore store, TaskActions tasks, TimeProvider clock, ILogger<ScheduleRunner> logger) : BackgroundService
{
    /// <summary>The longest the loop sleeps without looking (a change to the schedules wakes it sooner).</summary>
    public static readonly TimeSpan MaxSleep = TimeSpan.FromMinutes(1);

    public const string StartedBy = "orch-scheduler";

    /// <summary>
    /// Fires every schedule due at the clock's current time (first finishing runs left pending by a stop) and returns
    /// the earliest time one is due next, or null.
    /// </summary>
    public async Task<DateTimeOffset?> RunDueAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        DateTimeOffset? wake = null;
        foreach (var record in store.Current.Schedules.Values)
        {
            foreach (var pending in record.History.Where(r => r.Status == "PENDING").ToList())
            {
                await RunAsync(record.Key, pending.ScheduledTime, resumed: true, cancellationToken).ConfigureAwait(false);
            }

            var definition = ScheduleActions.Definition(record);
            if (definition.State != "ENABLED" || ScheduleTiming.Of(definition) is not { } timing)
            {
                continue;
            }

            var due = timing.Due(record, now);
            if (due is null)
            {
                if (definition.ActionAfterCompletion == "DELETE")
                {
                    await DeleteCompletedAsync(record.Key, cancellationToken).ConfigureAwait(false);
                }

                continue;
            }

            if (due > now)
            {
                wake = wake is null || due < wake ? due : wake;
                continue;
            }

            await RunAsync(record.Key, due.Value, resumed: false, cancellationToken).ConfigureAwait(false);
            if (store.Current.Schedules.GetValueOrDefault(record.Key) is { } after && timing.Due(after, now) is { } next)
            {
                wake = wake is null || next < wake ? next : wake;
            }
        }

        return wake;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            DateTimeOffset? wake;
            var version = store.Current.Version;
            try
            {
                wake = await RunDueAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                Log.PassFailed(logger, e);
                wake = null;
            }

            var delay = wake is { } w ? w - clock.GetUtcNow() : MaxSleep;
            delay = delay < TimeSpan.Zero ? TimeSpan.Zero : delay > MaxSleep ? MaxSleep : delay;
            using var wakeUp = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            try
            {
                // A schedule created or changed meanwhile may be due sooner: any change to the state wakes the loop.
                var changed = WaitForScheduleChangeAsync(version, wakeUp.Token);
                await Task.WhenAny(Task.Delay(delay, clock, wakeUp.Token), changed).ConfigureAwait(false);
                await wakeUp.CancelAsync().ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task WaitForScheduleChangeAsync(long version, CancellationToken cancellationToken)
    {
        var schedules = store.Current.Schedules;
        try
        {
            for (var state = store.Current; ReferenceEquals(state.Schedules, schedules);)
            {
                state = await store.WaitForChangeAsync(Math.Max(version, state.Version), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Woken by the timer instead.
        }
    }

    /// <summary>Stores the firing, runs the tasks, stores the outcome.</summary>
    private async Task RunAsync(string key, DateTimeOffset scheduled, bool resumed, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var record = await store.WriteAsync(tx =>
        {
            if (tx.State.Schedules.GetValueOrDefault(key) is not { } current)
            {
                return null;
            }

            if (!resumed && current.History.Any(r => r.ScheduledTime == scheduled))
            {
                return null; // already fired for this time
            }

            var updated = (resumed ? current : current with { LastFireTime = scheduled })
                .WithRun(new ScheduleRun { ScheduledTime = scheduled, RunTime = now, Status = "PENDING" });
            tx.Put(updated);
            return updated;
        }, cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            return;
        }

        var definition = ScheduleActions.Definition(record);
        ScheduleRun outcome;
        try
        {
            var response = await tasks.RunTaskAsync(Request(record, definition, scheduled), cancellationToken).ConfigureAwait(false);
            var taskArns = response.Tasks.Select(t => t.TaskArn!).ToList();
            var failures = response.Failures.Count == 0 ? null
                : string.Join("; ", response.Failures.Take(5).Select(f => f.Detail is null ? f.Reason : $"{f.Reason} ({f.Detail})"));
            outcome = new ScheduleRun
            {
                ScheduledTime = scheduled,
                RunTime = now,
                Status = taskArns.Count > 0 ? "SUCCEEDED" : "FAILED",
                TaskArns = taskArns,
                Reason = failures,
            };
        }
        catch (EcsException e) when (!e.IsServerError)
        {
            outcome = new ScheduleRun { ScheduledTime = scheduled, RunTime = now, Status = "FAILED", Reason = $"{e.ErrorType}: {e.Message}" };
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.RunFailed(logger, e, record.Arn);
            outcome = new ScheduleRun { ScheduledTime = scheduled, RunTime = now, Status = "FAILED", Reason = "An internal error occurred; see the control plane's log." };
        }

        Log.Fired(logger, record.Arn, scheduled, outcome.Status, outcome.TaskArns?.Count ?? 0);
        await store.WriteAsync(tx =>
        {
            if (tx.State.Schedules.GetValueOrDefault(key) is { } current)
            {
                tx.Put(current.WithRun(outcome));
            }

            return true;
        }, CancellationToken.None).ConfigureAwait(false);
    }

    private async Task DeleteCompletedAsync(string key, CancellationToken cancellationToken)
    {
        await store.WriteAsync(tx =>
        {
            if (tx.State.Schedules.GetValueOrDefault(key) is { } current && current.History.All(r => r.Status != "PENDING"))
            {
                tx.Delete(current);
            }

            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>RunTask's request for one firing, as EventBridge Scheduler builds it from the target.</summary>
    internal static RunTaskRequest Request(ScheduleRecord record, ScheduleOutput definition, DateTimeOffset scheduled)
    {
        var target = definition.Target!;
        var ecs = target.EcsParameters!;
        return new RunTaskRequest
        {
            Cluster = target.Arn,
            TaskDefinition = ecs.TaskDefinitionArn,
            Count = ecs.TaskCount ?? 1,
            Group = ecs.Group,
            StartedBy = StartedBy,
            LaunchType = ecs.LaunchType,
            CapacityProviderStrategy = ecs.CapacityProviderStrategy?.Select(i => new CapacityProviderStrategyItem { CapacityProvider = i.CapacityProvider, Weight = i.Weight, Base = i.Base }).ToList(),
            Overrides = ScheduleActions.ParseInput(target.Input),
            PlacementConstraints = ecs.PlacementConstraints?.Select(c => new PlacementConstraint(c.Type, c.Expression)).ToList(),
            PlacementStrategy = ecs.PlacementStrategy?.Select(s => new PlacementStrategy(s.Type, s.Field)).ToList(),
            Tags = ecs.Tags?.SelectMany(map => map.Select(p => new Tag(p.Key, p.Value))).ToList(),
            NetworkConfiguration = ecs.NetworkConfiguration?.AwsvpcConfiguration is { } vpc
                ? new NetworkConfiguration { AwsvpcConfiguration = new AwsvpcConfiguration { Subnets = vpc.Subnets, SecurityGroups = vpc.SecurityGroups, AssignPublicIp = vpc.AssignPublicIp } }
                : null,
            EnableExecuteCommand = ecs.EnableExecuteCommand,
            ClientToken = ClientToken(record.Arn, scheduled),
        };
    }

    /// <summary>The same for the same schedule and time: RunTask returns the first call's tasks for a repeated token.</summary>
    internal static string ClientToken(string scheduleArn, DateTimeOffset scheduled) =>
        "schedule-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{scheduleArn}@{scheduled.UtcTicks}")))[..40];
}
