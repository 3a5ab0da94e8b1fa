using Microsoft.Data.Sqlite;
using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs.Json;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Tests.State;

public sealed class StateStoreTests
{
    [Fact]
    public async Task Restart_KeepsEveryCommittedEntity()
    {
        using var cluster = new TestCluster();
        var (instanceArn, _) = await cluster.AddInstanceAsync();
        var definition = await cluster.RegisterAsync();
        var run = await cluster.RunAsync();

        using var restarted = cluster.Restart();
        var state = restarted.Store.Current;

        Assert.NotNull(state.Cluster("default"));
        Assert.Equal(EcsJson.Serialize(definition.TaskDefinition), EcsJson.Serialize(state.TaskDefinition("web", 1)));
        Assert.Equal(instanceArn, Assert.Single(state.Instances.Values).Arn);
        var task = Assert.Single(state.Tasks.Values);
        Assert.Equal(run.Tasks[0].TaskArn, task.Arn);
        Assert.Equal(instanceArn, task.Task.ContainerInstanceArn);
        Assert.Equal([task.Arn], state.TasksOn(instanceArn).Select(t => t.Arn));
    }

    [Fact]
    public void Open_NewDatabase_IsWalAtLatestSchemaVersion()
    {
        using var cluster = new TestCluster();
        using var connection = new SqliteConnection($"Data Source={Path.Combine(cluster.Directory, "state.db")};Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", command.ExecuteScalar());
        command.CommandText = "PRAGMA user_version";
        Assert.Equal((long)Schema.Migrations.Length, command.ExecuteScalar());
    }

    [Fact]
    public void Open_Version1Database_MovesClusterTagsToTheTagsTable()
    {
        var dir = Path.Combine(Path.GetTempPath(), "orch-migrate-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, "state.db");
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=false"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = Schema.Migrations[0] + """
                INSERT INTO clusters (key, doc) VALUES ('prod',
                  '{"name":"prod","arn":"arn:aws:ecs:us-east-1:123456789012:cluster/prod","status":"ACTIVE","tags":[{"key":"team","value":"infra"}]}');
                PRAGMA user_version = 1;
                """;
            command.ExecuteNonQuery();
        }

        using var cluster = new TestCluster(dir);

        var state = cluster.Store.Current;
        Assert.NotNull(state.Cluster("prod"));
        var tag = Assert.Single(state.TagsOf("arn:aws:ecs:us-east-1:123456789012:cluster/prod"));
        Assert.Equal(("team", "infra"), (tag.Key, tag.Value));
    }

    [Fact]
    public async Task WriteAsync_ThrowingChange_StoresNothing()
    {
        using var cluster = new TestCluster();
        var before = cluster.Store.Current;

        await Assert.ThrowsAsync<InvalidOperationException>(() => cluster.Store.WriteAsync<int>(tx =>
        {
            tx.Put(new ClusterRecord { Name = "half", Arn = cluster.Arns.Cluster("half") });
            throw new InvalidOperationException("changed my mind");
        }, TestCluster.Token));

        Assert.Same(before, cluster.Store.Current);
        using var restarted = cluster.Restart();
        Assert.Null(restarted.Store.Current.Cluster("half"));
    }

    [Fact]
    public async Task WriteAsync_ConcurrentWriters_SeeEachOthersChanges()
    {
        using var cluster = new TestCluster();
        await cluster.Store.WriteAsync(tx => { tx.Put(new ClusterRecord { Name = "counter", Arn = "0" }); return 0; }, TestCluster.Token);

        await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() => cluster.Store.WriteAsync(tx =>
        {
            var current = tx.State.Cluster("counter")!;
            tx.Put(current with { Arn = (int.Parse(current.Arn, System.Globalization.CultureInfo.InvariantCulture) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) });
            return 0;
        }, TestCluster.Token), TestCluster.Token)));

        Assert.Equal("50", cluster.Store.Current.Cluster("counter")!.Arn);
    }

    [Fact]
    public async Task WaitForChangeAsync_CompletesOnNextCommit()
    {
        using var cluster = new TestCluster();
        var version = cluster.Store.Current.Version;
        var waiting = cluster.Store.WaitForChangeAsync(version, TestCluster.Token);
        Assert.False(waiting.IsCompleted);

        await cluster.Api.Clusters.CreateClusterAsync(new CreateClusterRequest { ClusterName = "prod" }, TestCluster.Token);

        var next = await waiting.WaitAsync(TimeSpan.FromSeconds(5), TestCluster.Token);
        Assert.True(next.Version > version);
        Assert.NotNull(next.Cluster("prod"));
    }
}
