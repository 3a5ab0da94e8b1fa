using Etcdserverpb;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace Orchestrator.ControlPlane.State;

/// <summary>
/// Leader election on etcd: the control plane that creates the leader key (bound to its lease of
/// <see cref="EtcdOptions.LeaseTtlSeconds"/>) leads. It loads the whole state (<see cref="StateStore.PromoteAsync"/>)
/// and only then writes and starts the leader's work (<see cref="LeaderGate"/>). It renews the lease; if it cannot for
/// a whole TTL it stops the process (fail-stop: its commits are already refused by the compare on the leader key, and a
/// supervisor starts it again as a follower). A follower watches for the key to disappear and campaigns again, and
/// meanwhile follows the leader's commits into its snapshot.
/// </summary>
public sealed partial class EtcdLeadership(
    EtcdStateBackend backend, StateStore store, LeaderGate gate, IOptions<StateOptions> options, IHostApplicationLifetime lifetime,
    ILogger<EtcdLeadership> logger) : BackgroundService
{
    private readonly string _nodeId = Guid.NewGuid().ToString("N")[..12];
    private volatile string? _leader;

    /// <summary>What this control plane puts in the leader key: its id and the address callers should use.</summary>
    public string Value(string advertise) => $"{_nodeId} {advertise}";

    /// <summary>The leader's address as last seen (null: none known).</summary>
    public string? Leader => _leader;

    /// <summary>The address clients reach this control plane at (set by the composition root).</summary>
    public string Advertise { get; set; } = "";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        store.LeaderHint = () => _leader;
        var feed = FollowAsync(stoppingToken);
        var ttl = options.Value.Etcd.LeaseTtlSeconds;
        var value = Value(Advertise);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var lease = await backend.Call(c => new Lease.LeaseClient(c).LeaseGrantAsync(new LeaseGrantRequest { TTL = ttl }, deadline: backend.Deadline(), cancellationToken: stoppingToken).ResponseAsync, stoppingToken).ConfigureAwait(false);
                var campaign = new TxnRequest();
                campaign.Compare.Add(new Compare
                {
                    Key = EtcdStateBackend.Bytes(backend.LeaderKey),
                    Target = Compare.Types.CompareTarget.Create,
                    Result = Compare.Types.CompareResult.Equal,
                    CreateRevision = 0,
                });
                campaign.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = EtcdStateBackend.Bytes(backend.LeaderKey), Value = EtcdStateBackend.Bytes(value), Lease = lease.ID } });
                campaign.Failure.Add(new RequestOp { RequestRange = new RangeRequest { Key = EtcdStateBackend.Bytes(backend.LeaderKey) } });
                var won = await backend.Call(c => new KV.KVClient(c).TxnAsync(campaign, deadline: backend.Deadline(), cancellationToken: stoppingToken).ResponseAsync, stoppingToken).ConfigureAwait(false);
                if (won.Succeeded)
                {
                    await LeadAsync(lease.ID, value, ttl, stoppingToken).ConfigureAwait(false);
                    break;
                }

                _leader = won.Responses[0].ResponseRange.Kvs.FirstOrDefault()?.Value.ToStringUtf8() is { } held ? AddressOf(held) : null;
                await TryRevoke(lease.ID).ConfigureAwait(false);
                await WaitForVacancyAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is StateUnavailableException or RpcException)
            {
                // Who leads is unknown while etcd does not answer (quorum lost): refusals then say so.
                _leader = null;
                Log.CampaignFailed(logger, e.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(500), stoppingToken).ConfigureAwait(false);
            }
        }

        await feed.ConfigureAwait(false);
    }

    private async Task LeadAsync(long lease, string value, int ttl, CancellationToken stoppingToken)
    {
        var elected = DateTime.UtcNow;
        backend.Fence = value;
        _leader = Advertise;
        await store.PromoteAsync(stoppingToken).ConfigureAwait(false);
        Log.Elected(logger, Advertise, store.Current.Tasks.Count, (DateTime.UtcNow - elected).TotalMilliseconds);
        gate.Open();
        var lastRenewed = DateTime.UtcNow;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(ttl / 3.0), stoppingToken).ConfigureAwait(false);
                var renewed = await backend.Call(async c =>
                {
                    using var call = new Lease.LeaseClient(c).LeaseKeepAlive(deadline: backend.Deadline(), cancellationToken: stoppingToken);
                    await call.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = lease }, stoppingToken).ConfigureAwait(false);
                    var answered = await call.ResponseStream.MoveNext(stoppingToken).ConfigureAwait(false);
                    await call.RequestStream.CompleteAsync().ConfigureAwait(false);
                    return answered ? call.ResponseStream.Current.TTL : 0;
                }, stoppingToken).ConfigureAwait(false);
                if (renewed <= 0)
                {
                    Lost("the lease expired");
                    return;
                }

                lastRenewed = DateTime.UtcNow;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                await TryRevoke(lease).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (e is StateUnavailableException or RpcException)
            {
                if (DateTime.UtcNow - lastRenewed >= TimeSpan.FromSeconds(ttl))
                {
                    Lost("the lease could not be renewed: " + e.Message);
                    return;
                }
            }
        }

        await TryRevoke(lease).ConfigureAwait(false);
    }

    private void Lost(string why)
    {
        backend.Fence = null;
        store.Demote();
        Log.LostLead(logger, why);
        Environment.ExitCode = 3;
        lifetime.StopApplication();
    }

    private async Task WaitForVacancyAsync(CancellationToken stoppingToken)
    {
        // Polled rather than watched: a vacancy is noticed within 200 ms, and a poll also notices an unreachable etcd.
        while (!stoppingToken.IsCancellationRequested)
        {
            var current = await backend.Call(c => new KV.KVClient(c).RangeAsync(
                new RangeRequest { Key = EtcdStateBackend.Bytes(backend.LeaderKey) }, deadline: backend.Deadline(), cancellationToken: stoppingToken).ResponseAsync,
                stoppingToken).ConfigureAwait(false);
            if (current.Kvs.Count == 0)
            {
                _leader = null;
                return;
            }

            _leader = AddressOf(current.Kvs[0].Value.ToStringUtf8());
            await Task.Delay(TimeSpan.FromMilliseconds(200), stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>A follower's snapshot follows the leader's commits (a full reload whenever the feed broke off).</summary>
    private async Task FollowAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        var fromRevision = backend.LoadedRevision + 1;
        while (!stoppingToken.IsCancellationRequested && !store.IsWriter)
        {
            try
            {
                using var watch = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                var watching = backend.WatchAsync(fromRevision, documents => store.ApplyRemoteAsync(documents, stoppingToken), watch.Token);
                // The leader does not follow: stop the feed once this control plane writes.
                while (!watching.IsCompleted && !store.IsWriter)
                {
                    await Task.WhenAny(watching, Task.Delay(TimeSpan.FromMilliseconds(500), stoppingToken)).ConfigureAwait(false);
                }

                await watch.CancelAsync().ConfigureAwait(false);
                await watching.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested || store.IsWriter)
            {
                return;
            }
            catch (Exception e) when (e is RpcException or IOException or StateUnavailableException)
            {
                Log.FeedBroken(logger, e.Message);
                backend.NextEndpoint();
                await Task.Delay(TimeSpan.FromMilliseconds(300), stoppingToken).ConfigureAwait(false);
            }

            if (store.IsWriter)
            {
                return;
            }

            try
            {
                await store.ReloadAsync(stoppingToken).ConfigureAwait(false);
                fromRevision = backend.LoadedRevision + 1;
            }
            catch (StateUnavailableException e)
            {
                Log.FeedBroken(logger, e.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(500), stoppingToken).ConfigureAwait(false);
            }
        }
    }

    private async Task TryRevoke(long lease)
    {
        try
        {
            await backend.Call(c => new Lease.LeaseClient(c).LeaseRevokeAsync(new LeaseRevokeRequest { ID = lease }, deadline: backend.Deadline()).ResponseAsync, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is StateUnavailableException or RpcException)
        {
            // The lease expires on its own.
        }
    }

    private static string AddressOf(string value) => value[(value.IndexOf(' ', StringComparison.Ordinal) + 1)..];
}

/// <summary>Opens once this control plane leads; the leader's work (<see cref="LeaderOnlyService"/>) waits for it.</summary>
public sealed class LeaderGate
{
    private readonly TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Opened => _opened.Task;

    /// <summary>Raised (synchronously) just before the gate opens, before any of the leader's work starts.</summary>
    public event Action? Opening;

    public void Open()
    {
        Opening?.Invoke();
        _opened.TrySetResult();
    }
}

/// <summary>A hosted service that writes (placement, liveness, schedules, scaling): started only once this control plane leads.</summary>
public sealed class LeaderOnlyService(IHostedService inner, LeaderGate gate) : IHostedService
{
    private readonly CancellationTokenSource _stopping = new();
    private Task? _starting;
    private bool _started;

    public IHostedService Inner => inner;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _starting = Task.Run(async () =>
        {
            await gate.Opened.WaitAsync(_stopping.Token).ConfigureAwait(false);
            await inner.StartAsync(_stopping.Token).ConfigureAwait(false);
            _started = true;
        }, CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            if (_starting is not null)
            {
                await _starting.ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }

        if (_started)
        {
            await inner.StopAsync(cancellationToken).ConfigureAwait(false);
        }

        _stopping.Dispose();
    }
}
