using System.Collections.Concurrent;
using System.Threading.Channels;
using Orchestrator.ControlPlane.State;
using Orchestrator.ControlPlane.Tasks;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Services;

/// <summary>
/// Services waiting for a scheduler pass, each at most once in the queue. Fed by every committed change that could
/// matter to a service (its own record, its tasks, its cluster's instances), by agents connecting and leaving, and
/// by a periodic sweep for what time alone changes (grace periods, relaunch back-off).
/// </summary>
public sealed class ServiceWorkQueue
{
    private readonly Channel<string> _channel = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, byte> _queued = new(StringComparer.Ordinal);

    public ServiceWorkQueue(StateStore store, IAgentConnections sessions)
    {
        store.Committed += (state, changes) => OnCommitted(state, changes);
        sessions.ConnectivityChanged += instanceArn =>
        {
            var state = store.Current;
            if (state.Instance(instanceArn) is { } instance)
            {
                EnqueueCluster(state, instance.ClusterName);
            }
        };
    }

    public void Enqueue(string serviceArn)
    {
        if (_queued.TryAdd(serviceArn, 0))
        {
            _channel.Writer.TryWrite(serviceArn);
        }
    }

    public void EnqueueAll(StateSnapshot state)
    {
        foreach (var service in state.Services.Values.Where(s => s.Status != ServiceStatus.Inactive))
        {
            Enqueue(service.Arn);
        }
    }

    public async ValueTask<string> DequeueAsync(CancellationToken cancellationToken)
    {
        var arn = await _channel.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        _queued.TryRemove(arn, out _);
        return arn;
    }

    private void OnCommitted(StateSnapshot state, IReadOnlyList<StateChange> changes)
    {
        foreach (var change in changes)
        {
            switch (change.Document)
            {
                case ServiceRecord service when service.Status != ServiceStatus.Inactive:
                    Enqueue(service.Arn);
                    break;
                case TaskRecord { Task.Group: { } group } task when group.StartsWith("service:", StringComparison.Ordinal):
                    var name = group["service:".Length..];
                    foreach (var service in state.ServicesIn(task.ClusterName).Where(s => s.Name == name && s.Status != ServiceStatus.Inactive))
                    {
                        Enqueue(service.Arn);
                    }

                    break;
                case InstanceRecord instance:
                    EnqueueCluster(state, instance.ClusterName);
                    break;
            }
        }
    }

    private void EnqueueCluster(StateSnapshot state, string clusterName)
    {
        foreach (var service in state.ServicesIn(clusterName).Where(s => s.Status != ServiceStatus.Inactive))
        {
            Enqueue(service.Arn);
        }
    }
}
