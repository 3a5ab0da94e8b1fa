using System.Diagnostics;
using Etcdserverpb;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs.Model;
using Orchestrator.Testing;

namespace Orchestrator.ControlPlane.Tests.State;

/// <summary>The etcd backend against a real single-member etcd: commits, reloads, the leader fence and the change feed.</summary>
public sealed class EtcdStateBackendTests : IAsyncLifetime
{
    private EtcdServer _etcd = null!;
    private readonly string _prefix = "/orch/test-" + Guid.NewGuid().ToString("N")[..8] + "/";

    public async ValueTask InitializeAsync() => _etcd = await EtcdServer.StartAsync(1, TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync() => await _etcd.DisposeAsync();

    [Fact]
    public async Task Commit_ThenLoadInAnotherStore_SeesPutsAndDeletes()
    {
        var token = TestContext.Current.CancellationToken;
        using var leader = await LeaderAsync(token);
        await leader.WriteAsync(t =>
        {
            t.Put(Cluster("prod"));
            t.Put(Cluster("dev"));
            t.PutTags(Cluster("prod").Arn, [new Tag("team", "infra")]);
            return 0;
        }, token);
        await leader.WriteAsync(t =>
        {
            t.PutTags(Cluster("prod").Arn, []);
            t.Put(Cluster("dev") with { Status = "INACTIVE" });
            return 0;
        }, token);

        using var reloaded = new StateStore(Backend(), NullLogger<StateStore>.Instance, null, writer: false);

        Assert.Equal(["dev", "prod"], reloaded.Current.Clusters.Keys);
        Assert.Equal("INACTIVE", reloaded.Current.Cluster("dev")!.Status);
        Assert.Empty(reloaded.Current.TagsOf(Cluster("prod").Arn));
    }

    [Fact]
    public async Task Commit_WhenAnotherControlPlaneLeads_IsRefusedAndNothingIsStored()
    {
        var token = TestContext.Current.CancellationToken;
        var backend = Backend();
        using var store = new StateStore(backend, NullLogger<StateStore>.Instance, null, writer: false);
        await PutAsync(backend.LeaderKey, "other https://10.0.0.2:7070", token);
        backend.Fence = "me https://10.0.0.1:7070";
        await store.PromoteAsync(token);

        var refused = await Assert.ThrowsAsync<StateUnavailableException>(() => store.WriteAsync(t => { t.Put(Cluster("prod")); return 0; }, token));

        Assert.Contains("lost the lead", refused.Message, StringComparison.Ordinal);
        Assert.Empty(store.Current.Clusters);
        using var reloaded = new StateStore(Backend(), NullLogger<StateStore>.Instance, null, writer: false);
        Assert.Empty(reloaded.Current.Clusters);
    }

    [Fact]
    public async Task Follower_WritesAreRefusedNamingTheLeader()
    {
        var token = TestContext.Current.CancellationToken;
        using var follower = new StateStore(Backend(), NullLogger<StateStore>.Instance, null, writer: false) { LeaderHint = () => "https://10.0.0.2:7070" };

        var refused = await Assert.ThrowsAsync<StateUnavailableException>(() => follower.WriteAsync(t => { t.Put(Cluster("prod")); return 0; }, token));

        Assert.Equal("https://10.0.0.2:7070", refused.Leader);
        Assert.Contains("https://10.0.0.2:7070", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_AppliesTheLeadersCommitsToAFollowersSnapshot()
    {
        var token = TestContext.Current.CancellationToken;
        using var leader = await LeaderAsync(token);
        var followerBackend = Backend();
        using var follower = new StateStore(followerBackend, NullLogger<StateStore>.Instance, null, writer: false);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(token);
        var feed = followerBackend.WatchAsync(followerBackend.LoadedRevision + 1, documents => follower.ApplyRemoteAsync(documents, stop.Token), stop.Token);

        await leader.WriteAsync(t => { t.Put(Cluster("prod")); t.PutTags(Cluster("prod").Arn, [new Tag("a", "b")]); return 0; }, token);
        var seen = await WaitAsync(follower, s => s.Cluster("prod") is not null && s.TagsOf(Cluster("prod").Arn).Count == 1, token);
        Assert.Equal("b", seen.TagsOf(Cluster("prod").Arn)[0].Value);

        await leader.WriteAsync(t => { t.PutTags(Cluster("prod").Arn, []); return 0; }, token);
        await WaitAsync(follower, s => s.TagsOf(Cluster("prod").Arn).Count == 0, token);

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => feed);
    }

    [Fact]
    public async Task Commit_MoreChangesThanOneTransactionTakes_StoresThemAll()
    {
        var token = TestContext.Current.CancellationToken;
        // 300 changes in transactions of at most 100 operations (etcd's --max-txn-ops, 128 by default).
        using var leader = await LeaderAsync(token, maxTxnOps: 100);
        var watch = Stopwatch.StartNew();
        await leader.WriteAsync(t =>
        {
            for (var i = 0; i < 300; i++)
            {
                t.Put(Cluster($"c{i:D3}"));
            }

            return 0;
        }, token);
        TestContext.Current.TestOutputHelper?.WriteLine($"300 documents committed to etcd in {watch.ElapsedMilliseconds} ms");

        using var reloaded = new StateStore(Backend(), NullLogger<StateStore>.Instance, null, writer: false);
        Assert.Equal(300, reloaded.Current.Clusters.Count);
    }

    [Fact]
    public async Task Commit_Latency_PrintedForEtcdAndSqlite()
    {
        var token = TestContext.Current.CancellationToken;
        using var etcd = await LeaderAsync(token);
        var dir = Path.Combine(Path.GetTempPath(), "orch-latency-" + Guid.NewGuid().ToString("N")[..8]);
        using var sqlite = new StateStore(Path.Combine(dir, "state.db"), NullLogger<StateStore>.Instance);
        foreach (var (name, store) in new[] { ("etcd", etcd), ("sqlite", sqlite) })
        {
            var samples = new List<double>();
            for (var i = 0; i < 200; i++)
            {
                var watch = Stopwatch.StartNew();
                await store.WriteAsync(t => { t.Put(Cluster($"l{i}")); return 0; }, token);
                samples.Add(watch.Elapsed.TotalMilliseconds);
            }

            samples.Sort();
            TestContext.Current.TestOutputHelper?.WriteLine(
                $"{name}: 200 single-document writes, p50 {samples[100]:F2} ms, p99 {samples[197]:F2} ms, max {samples[^1]:F2} ms");
            Assert.Equal(200, store.Current.Clusters.Count);
        }

        Directory.Delete(dir, recursive: true);
    }

    private EtcdStateBackend Backend(int maxTxnOps = 128) =>
        new(new EtcdOptions { Endpoints = _etcd.Endpoints, Prefix = _prefix, MaxTxnOps = maxTxnOps });

    /// <summary>A store that leads: the leader key holds its fence, as the election leaves it.</summary>
    private async Task<StateStore> LeaderAsync(CancellationToken token, int maxTxnOps = 128)
    {
        var backend = Backend(maxTxnOps);
        var store = new StateStore(backend, NullLogger<StateStore>.Instance, null, writer: false);
        await PutAsync(backend.LeaderKey, "leader https://127.0.0.1:7070", token);
        backend.Fence = "leader https://127.0.0.1:7070";
        await store.PromoteAsync(token);
        return store;
    }

    private async Task PutAsync(string key, string value, CancellationToken token)
    {
        using var backend = Backend();
        await backend.Call(c => new KV.KVClient(c).PutAsync(
            new PutRequest { Key = EtcdStateBackend.Bytes(key), Value = EtcdStateBackend.Bytes(value) }, cancellationToken: token).ResponseAsync, token);
    }

    private static async Task<StateSnapshot> WaitAsync(StateStore store, Func<StateSnapshot, bool> condition, CancellationToken token)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var state = store.Current;
        while (!condition(state))
        {
            state = await store.WaitForChangeAsync(state.Version, timeout.Token);
        }

        return state;
    }

    private static ClusterRecord Cluster(string name) => new() { Name = name, Arn = $"arn:aws:ecs:us-east-1:123456789012:cluster/{name}" };
}
