using Microsoft.Data.Sqlite;
using Orchestrator.Agent.Engine;
using Orchestrator.Agent.Registration;
using Orchestrator.Agent.State;
using Orchestrator.Agent.Tests.Support;

namespace Orchestrator.Agent.Tests.State;

public sealed class AgentStoreTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private AgentStore Open() => new(_directory.Path, TimeProvider.System);

    private static StoredTask Task(string id) => new()
    {
        TaskArn = $"arn:aws:ecs:us-east-1:000000000000:task/default/{id}",
        ClusterArn = "arn:aws:ecs:us-east-1:000000000000:cluster/default",
        TaskDefinitionJson = """{"family":"web","revision":1}""",
        OverridesJson = """{"containerOverrides":[]}""",
        ReceivedAt = Now,
        Containers = [new ContainerRecord { Name = "web" }],
    };

    [Fact]
    public void Open_NewDirectory_CreatesDatabaseWithSchemaVersionAndWal()
    {
        using (Open())
        {
        }

        using var connection = new SqliteConnection($"Data Source={Path.Combine(_directory.Path, AgentStore.FileName)};Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA user_version";
        Assert.Equal((long)AgentStore.SchemaVersion, command.ExecuteScalar());
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", command.ExecuteScalar());
    }

    [Fact]
    public void SaveTaskAndReport_Reopened_ReportReadBackAsSaved()
    {
        var report = Reports.Stopped("a");
        using (var store = Open())
        {
            store.SaveTaskAndReport(Task("a"), report);
        }

        using (var store = Open())
        {
            Assert.Equal(new SequencedReport(1, report), Assert.Single(store.ReadOutbox(0)));
        }
    }

    [Fact]
    public void Open_SchemaThreeWithProtobufOutbox_OutboxDroppedTasksAndSequenceKept()
    {
        using (var store = Open())
        {
            store.SaveTaskAndReport(Task("a"), new TaskStatusReport { TaskArn = "a" });
        }

        using (var connection = new SqliteConnection($"Data Source={Path.Combine(_directory.Path, AgentStore.FileName)};Pooling=false"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = """
                DROP TABLE outbox;
                CREATE TABLE outbox (sequence INTEGER PRIMARY KEY, task_arn TEXT NOT NULL, change BLOB NOT NULL, created_at INTEGER NOT NULL);
                INSERT INTO outbox VALUES (1, 'a', x'0801', 0);
                PRAGMA user_version = 3;
                """;
            command.ExecuteNonQuery();
        }

        using (var store = Open())
        {
            Assert.Empty(store.ReadOutbox(0));
            Assert.Single(store.LoadTasks());
            Assert.Equal(2UL, store.SaveTaskAndReport(Task("a"), new TaskStatusReport { TaskArn = "a" }).Sequence);
        }
    }

    [Fact]
    public void SaveTaskAndReport_Reopened_SequenceContinues()
    {
        using (var store = Open())
        {
            Assert.Equal(0UL, store.LastSequence);
            Assert.Equal(1UL, store.SaveTaskAndReport(Task("a"), new TaskStatusReport { TaskArn = "a" }).Sequence);
            Assert.Equal(2UL, store.SaveTaskAndReport(Task("a"), new TaskStatusReport { TaskArn = "a" }).Sequence);
        }

        using (var store = Open())
        {
            Assert.Equal(2UL, store.LastSequence);
            store.Acknowledge(2);
            Assert.Equal(3UL, store.SaveTaskAndReport(Task("b"), new TaskStatusReport { TaskArn = "b" }).Sequence);
            Assert.Equal([3UL], store.ReadOutbox(0).Select(c => c.Sequence));
        }
    }

    [Fact]
    public void Outbox_OnlyAcknowledgeRemoves_UpToTheSequence()
    {
        using var store = Open();
        for (var i = 0; i < 5; i++)
        {
            store.SaveTaskAndReport(Task("a"), new TaskStatusReport { TaskArn = "a", LastStatus = ReportedStatus.Running });
        }

        store.SaveTask(Task("a"));
        store.SaveTaskAndReport(Task("b"), new TaskStatusReport { TaskArn = "b" });
        Assert.Equal([1UL, 2, 3, 4, 5, 6], store.ReadOutbox(0).Select(c => c.Sequence));
        Assert.Equal([5UL, 6], store.ReadOutbox(4).Select(c => c.Sequence));

        Assert.Equal(3, store.Acknowledge(3));
        Assert.Equal(0, store.Acknowledge(2));

        Assert.Equal([4UL, 5, 6], store.ReadOutbox(0).Select(c => c.Sequence));
        Assert.Equal(ReportedStatus.Running, store.ReadOutbox(0)[0].Task.LastStatus);
    }

    [Fact]
    public void SaveTask_EveryField_RoundTripsThroughReopen()
    {
        var task = Task("a") with
        {
            DesiredStatus = LifecycleStatus.Stopped,
            KnownStatus = LifecycleStatus.Stopped,
            StopCode = "EssentialContainerExited",
            StoppedReason = "Essential container in task exited",
            PullStartedAt = Now.AddSeconds(1),
            PullStoppedAt = Now.AddSeconds(2),
            StartedAt = Now.AddSeconds(3),
            ExecutionStoppedAt = Now.AddSeconds(4),
            Containers =
            [
                new ContainerRecord
                {
                    Name = "web",
                    Essential = true,
                    DockerName = "ecs-web-1-web-0",
                    RuntimeId = "abc",
                    KnownStatus = LifecycleStatus.Stopped,
                    ExitCode = 137,
                    Reason = "OutOfMemoryError: Container killed due to memory usage",
                    ImageDigest = "sha256:1",
                    NetworkBindings = [new BindingRecord("0.0.0.0", 80, 32768, "tcp")],
                    StartedAt = Now.AddSeconds(3),
                    Health = "UNHEALTHY",
                    HostPorts = [new PortAssignment(80, "tcp", 32768)],
                    GpuIds = ["GPU-0", "GPU-1"],
                },
                new ContainerRecord { Name = "log", Essential = false },
            ],
        };
        using (var store = Open())
        {
            store.SaveTask(Task("a"));
            store.SaveTask(task);
        }

        using (var store = Open())
        {
            var loaded = Assert.Single(store.LoadTasks());
            Assert.Equal(task with { Containers = [] }, loaded with { Containers = [] });
            Assert.Equal(Lists(task.Containers[0]), Lists(loaded.Containers[0]));
            Assert.Equal(task.Containers[0].NetworkBindings, loaded.Containers[0].NetworkBindings);
            Assert.Equal(task.Containers[0].HostPorts, loaded.Containers[0].HostPorts);
            Assert.Equal(task.Containers[0].GpuIds, loaded.Containers[0].GpuIds);
            Assert.Equal(Lists(task.Containers[1]), Lists(loaded.Containers[1]));
        }

        // Records holding lists compare by reference: compare the lists above, everything else here.
        static ContainerRecord Lists(ContainerRecord c) => c with { NetworkBindings = [], HostPorts = [], GpuIds = [] };
    }

    [Fact]
    public void DynamicPortCursor_Saved_SurvivesReopen()
    {
        using (var store = Open())
        {
            Assert.Equal(0, store.DynamicPortCursor);
            store.DynamicPortCursor = 49160;
        }

        using (var store = Open())
        {
            Assert.Equal(49160, store.DynamicPortCursor);
        }
    }

    [Fact]
    public void ReadSnapshot_TasksAndLastSequence_Together()
    {
        using var store = Open();
        store.SaveTaskAndReport(Task("a"), new TaskStatusReport { TaskArn = "a" });
        store.SaveTask(Task("b"));

        var (tasks, through) = store.ReadSnapshot();

        Assert.Equal(2, tasks.Count);
        Assert.Equal(1UL, through);
    }

    [Fact]
    public void DeleteTask_Known_RemovedWithContainers()
    {
        using var store = Open();
        store.SaveTask(Task("a"));

        store.DeleteTask(Task("a").TaskArn);

        Assert.Empty(store.LoadTasks());
    }

    [Fact]
    public void GetOrCreateHostId_Reopened_SameManagedInstanceId()
    {
        string first;
        using (var store = Open())
        {
            first = store.GetOrCreateHostId(HostIdentity.NewHostId);
        }

        using (var store = Open())
        {
            Assert.Equal(first, store.GetOrCreateHostId(() => throw new InvalidOperationException("must not create again")));
        }

        Assert.Matches("^mi-[0-9a-f]{17}$", first);
    }

    [Fact]
    public void ContainerInstanceArn_Saved_SurvivesReopen()
    {
        using (var store = Open())
        {
            Assert.Null(store.GetContainerInstanceArn());
            store.SaveContainerInstanceArn("arn:aws:ecs:us-east-1:000000000000:container-instance/default/x");
        }

        using (var store = Open())
        {
            Assert.Equal("arn:aws:ecs:us-east-1:000000000000:container-instance/default/x", store.GetContainerInstanceArn());
        }
    }
}
