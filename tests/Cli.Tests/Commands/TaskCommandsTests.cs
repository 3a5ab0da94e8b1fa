using System.Globalization;
using System.Text.Json.Nodes;
using Orchestrator.Cli.Tests.Fakes;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;
using TaskStatus = Orchestrator.Ecs.Model.TaskStatus;

namespace Orchestrator.Cli.Tests.Commands;

public sealed class TaskCommandsTests
{
    private static string Id(int n) => n.ToString("x32", CultureInfo.InvariantCulture);

    /// <summary>DescribeTasks as the control plane answers it: every named task, RUNNING.</summary>
    private static TasksResponse DescribeAll(RecordedCall call) => new(
        [.. call.Request["tasks"]!.AsArray().Select(arn => Canned.Task(Arns.ShortName((string)arn!, "task"), TaskStatus.Running))], []);

    [Fact]
    public async Task List_150TasksOnTwoPages_FollowsNextTokenAndDescribesInChunksOf100()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Api.On("ListTasks", call => (string?)call.Request["nextToken"] is null
            ? new ListTasksResponse([.. Enumerable.Range(0, 100).Select(n => Canned.TaskArn(Id(n)))], "page-2")
            : new ListTasksResponse([.. Enumerable.Range(100, 50).Select(n => Canned.TaskArn(Id(n)))], null));
        server.Api.On("DescribeTasks", DescribeAll);

        var result = await CliHarness.RunAsync(server, "task", "list");

        Assert.Equal(0, result.ExitCode);
        var lists = server.Api.CallsTo("ListTasks");
        JsonAssert.Equal("""{"cluster":"default"}""", lists[0].Json);
        JsonAssert.Equal("""{"cluster":"default","nextToken":"page-2"}""", lists[1].Json);
        var describes = server.Api.CallsTo("DescribeTasks");
        Assert.Equal([100, 50], describes.Select(d => d.Request["tasks"]!.AsArray().Count));
        Assert.All(describes, d => Assert.Equal("default", (string?)d.Request["cluster"]));
        Assert.Equal(150, result.Stdout.Split('\n').Count(l => l.Contains("web:1", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task List_Filters_SendsThemToListTasks()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Api.On("ListTasks", new ListTasksResponse([], null));

        var result = await CliHarness.RunAsync(
            server, "task", "list", "--cluster", "prod", "--desired-status", "STOPPED", "--family", "web", "--started-by", "ci");

        Assert.Equal(0, result.ExitCode);
        JsonAssert.Equal(
            """{"cluster":"prod","family":"web","startedBy":"ci","desiredStatus":"STOPPED"}""", Assert.Single(server.Api.Calls).Json);
        Assert.Equal("No tasks in cluster prod.", result.Stdout.Trim());
    }

    [Fact]
    public async Task List_RunningTask_ShowsIdsPortsAndLocalStartTime()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        var task = Canned.Task(
            Canned.TaskId1, TaskStatus.Running,
            Canned.Container("web", TaskStatus.Running, Canned.Binding(32768, 80)),
            Canned.Container("metrics", TaskStatus.Running, Canned.Binding(9100, 9100) with { Protocol = "udp" })) with
        {
            StartedAt = new DateTimeOffset(2025, 3, 1, 12, 0, 5, TimeSpan.Zero),
        };
        server.Api.On("ListTasks", new ListTasksResponse([task.TaskArn], null));
        server.Api.On("DescribeTasks", new TasksResponse([task], []));

        var result = await CliHarness.RunAsync(server, "task", "list");

        Assert.Equal(0, result.ExitCode);
        Assert.Matches(
            $@"(?m)^{Canned.TaskId1}\s+web:1\s+RUNNING\s+RUNNING\s+{Canned.InstanceId}\s+32768->80/tcp, 9100->9100/udp\s+2025-03-01 12:00:05\s*$",
            result.Stdout);
    }

    [Fact]
    public async Task List_JsonOutput_PrintsTheDescribeTasksResponse()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Api.On("ListTasks", new ListTasksResponse([Canned.TaskArn(Canned.TaskId1)], null));
        server.Api.On("DescribeTasks", DescribeAll);

        var result = await CliHarness.RunAsync(server, "task", "list", "--output", "json");

        Assert.Equal(0, result.ExitCode);
        var document = JsonNode.Parse(result.Stdout)!;
        Assert.Equal(Canned.TaskArn(Canned.TaskId1), (string?)document["tasks"]![0]!["taskArn"]);
        Assert.NotNull(document["failures"]);
    }

    [Fact]
    public async Task Describe_FoundAndMissingTasks_PrintsDetailsAndFailuresAndExits1()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        var task = Canned.Task(Canned.TaskId1, TaskStatus.Stopped, Canned.Container("web", TaskStatus.Stopped) with
        {
            ExitCode = 137,
            Reason = "OutOfMemoryError: Container killed due to memory usage",
        }) with
        {
            StoppedReason = "Essential container in task exited",
        };
        server.Api.On("DescribeTasks", new TasksResponse([task], [new Failure(Canned.TaskArn(Canned.TaskId2), "MISSING")]));

        var result = await CliHarness.RunAsync(server, "task", "describe", Canned.TaskId1, Canned.TaskId2, "--cluster", "prod");

        Assert.Equal(1, result.ExitCode);
        JsonAssert.Equal(
            $$"""{"cluster":"prod","tasks":["{{Canned.TaskId1}}","{{Canned.TaskId2}}"]}""", Assert.Single(server.Api.Calls).Json);
        Assert.Matches(@"(?m)^Stopped reason:\s+Essential container in task exited\s*$", result.Stdout);
        Assert.Matches(@"(?m)^web\s+nginx:1\.27\s+STOPPED\s+137\s+OutOfMemoryError: Container killed due to memory usage\s+-\s*$", result.Stdout);
        Assert.Matches($@"(?m)^{Canned.TaskArn(Canned.TaskId2)}\s+MISSING", result.Stdout);
    }

    [Fact]
    public async Task Stop_WithReason_SendsStopTaskAndPrintsTheTask()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Api.On("StopTask", new TaskResponse(Canned.Task(Canned.TaskId1, TaskStatus.Running) with { DesiredStatus = TaskStatus.Stopped }));

        var result = await CliHarness.RunAsync(server, "task", "stop", Canned.TaskId1, "--reason", "rolling back");

        Assert.Equal(0, result.ExitCode);
        JsonAssert.Equal(
            $$"""{"cluster":"default","task":"{{Canned.TaskId1}}","reason":"rolling back"}""", Assert.Single(server.Api.Calls).Json);
        Assert.Matches($@"(?m)^{Canned.TaskId1}\s+web:1\s+RUNNING\s+STOPPED", result.Stdout);
    }
}
