using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Cli.Tests.Fakes;
using Orchestrator.Ecs.Model;
using TaskStatus = Orchestrator.Ecs.Model.TaskStatus;

namespace Orchestrator.Cli.Tests.Commands;

public sealed class TaskRunCommandTests
{
    private static TasksResponse Placed(params EcsTask[] tasks) => new(tasks, []);

    private static TasksResponse Snapshot(params EcsTask[] tasks) => new(tasks, []);

    [Fact]
    public async Task Run_CountTwo_SendsRunTaskAndPrintsBothTasks()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Api.On("RunTask", Placed(Canned.Task(Canned.TaskId1, TaskStatus.Pending), Canned.Task(Canned.TaskId2, TaskStatus.Pending)));

        var result = await CliHarness.RunAsync(
            server, "task", "run", "--cluster", "prod", "--task-definition", "web:1", "--count", "2", "--started-by", "ci", "--group", "g1");

        Assert.Equal(0, result.ExitCode);
        var call = Assert.Single(server.Api.Calls);
        Assert.Equal("RunTask", call.Action);
        JsonAssert.Equal("""{"cluster":"prod","taskDefinition":"web:1","count":2,"group":"g1","startedBy":"ci"}""", call.Json);
        Assert.Matches(@"(?m)^TASK ID\s+DEFINITION\s+LAST\s+DESIRED\s+INSTANCE\s+PORTS\s+STARTED\s*$", result.Stdout);
        Assert.Matches($@"(?m)^{Canned.TaskId1}\s+web:1\s+PENDING\s+RUNNING\s+{Canned.InstanceId}\s+-\s+-\s*$", result.Stdout);
        Assert.Matches($@"(?m)^{Canned.TaskId2}\s+web:1\s+PENDING\s+RUNNING\s+{Canned.InstanceId}", result.Stdout);
    }

    [Fact]
    public async Task Run_Subnets_SendsTheNetworkConfigurationAndShowsTheTasksAddress()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        var task = Canned.Task(Canned.TaskId1, TaskStatus.Pending) with
        {
            Attachments =
            [
                new Attachment
                {
                    Id = "5c6d2a5e-0000-4000-8000-000000000001",
                    Type = Attachment.NetworkInterfaceType,
                    Status = AttachmentStatus.Precreated,
                    Details = [new("subnetId", "subnet-a"), new("privateIPv4Address", "10.20.0.10")],
                },
            ],
        };
        server.Api.On("RunTask", Placed(task));

        var result = await CliHarness.RunAsync(server, "task", "run", "-t", "api", "--subnets", "subnet-a, subnet-b");

        Assert.Equal(0, result.ExitCode);
        JsonAssert.Equal(
            """{"cluster":"default","taskDefinition":"api","count":1,"networkConfiguration":{"awsvpcConfiguration":{"subnets":["subnet-a","subnet-b"]}}}""",
            Assert.Single(server.Api.Calls).Json);
        Assert.Matches($@"(?m)^{Canned.TaskId1}\s+web:1\s+PENDING\s+RUNNING\s+{Canned.InstanceId}\s+10\.20\.0\.10\s+-\s*$", result.Stdout);
    }

    [Fact]
    public async Task Run_Defaults_SendsDefaultClusterAndCountOne()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Api.On("RunTask", Placed(Canned.Task(Canned.TaskId1, TaskStatus.Pending)));

        var result = await CliHarness.RunAsync(server, "task", "run", "-t", "web");

        Assert.Equal(0, result.ExitCode);
        JsonAssert.Equal("""{"cluster":"default","taskDefinition":"web","count":1}""", Assert.Single(server.Api.Calls).Json);
    }

    [Fact]
    public async Task Run_NoTaskPlaced_PrintsFailuresAndExits1()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Api.On("RunTask", new TasksResponse([], [new Failure(Canned.InstanceArn(), "RESOURCE:MEMORY", "needs 512 MiB, 128 free")]));

        var result = await CliHarness.RunAsync(server, "task", "run", "--task-definition", "web:1");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("No task was started.", result.Stdout, StringComparison.Ordinal);
        Assert.Matches($@"(?m)^{Canned.InstanceArn()}\s+RESOURCE:MEMORY\s+needs 512 MiB, 128 free\s*$", result.Stdout);
    }

    [Fact]
    public async Task Run_SomeTasksPlaced_PrintsTasksAndFailuresAndExits0()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Api.On("RunTask", new TasksResponse(
            [Canned.Task(Canned.TaskId1, TaskStatus.Pending)], [new Failure(Canned.InstanceArn(), "RESOURCE:PORTS")]));

        var result = await CliHarness.RunAsync(server, "task", "run", "--task-definition", "web:1", "--count", "2");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains(Canned.TaskId1, result.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^Failures:\s*$", result.Stdout);
        Assert.Contains("RESOURCE:PORTS", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_WaitAndTasksReachRunning_PrintsEachTransitionAndExits0()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Api.On("RunTask", Placed(Canned.Task(Canned.TaskId1, TaskStatus.Provisioning), Canned.Task(Canned.TaskId2, TaskStatus.Provisioning)));
        var web = Canned.Container("web", TaskStatus.Running, Canned.Binding(32768, 80));
        server.Api.OnWatch(
        [
            Snapshot(Canned.Task(Canned.TaskId1, TaskStatus.Pending), Canned.Task(Canned.TaskId2, TaskStatus.Pending)),
            Snapshot(Canned.Task(Canned.TaskId1, TaskStatus.Running, web), Canned.Task(Canned.TaskId2, TaskStatus.Pending)),
            Snapshot(Canned.Task(Canned.TaskId1, TaskStatus.Running, web), Canned.Task(Canned.TaskId2, TaskStatus.Running)),
        ]);

        var result = await CliHarness.RunAsync(server, "task", "run", "--cluster", "prod", "--task-definition", "web:1", "--count", "2", "--wait");

        Assert.Equal(0, result.ExitCode);
        var watch = Assert.Single(server.Api.WatchRequests);
        Assert.Equal("prod", watch.Cluster);
        Assert.Equal([Canned.TaskArn(Canned.TaskId1), Canned.TaskArn(Canned.TaskId2)], watch.Tasks);
        var progress = result.Stdout.Split('\n').Where(l => l.Contains('→', StringComparison.Ordinal)).Select(l => l.Trim());
        Assert.Equal(
        [
            "0123abcd… PROVISIONING → PENDING",
            "4567cdef… PROVISIONING → PENDING",
            "0123abcd… PENDING → RUNNING",
            "4567cdef… PENDING → RUNNING",
        ], progress);
        Assert.Matches($@"(?m)^{Canned.TaskId1}\s+web:1\s+RUNNING\s+RUNNING\s+{Canned.InstanceId}\s+32768->80/tcp", result.Stdout);
        Assert.Equal("", result.Stderr);
    }

    [Fact]
    public async Task Run_WaitAndTaskStops_PrintsStoppedReasonAndContainerReasonsAndExits1()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Api.On("RunTask", Placed(Canned.Task(Canned.TaskId1, TaskStatus.Pending)));
        var stopped = Canned.Task(Canned.TaskId1, TaskStatus.Stopped, Canned.Container("web", TaskStatus.Stopped) with
        {
            ExitCode = 1,
            Reason = "CannotStartContainerError: port is already allocated",
        }) with
        {
            StopCode = TaskStopCode.TaskFailedToStart,
            StoppedReason = "Essential container in task exited",
        };
        server.Api.OnWatch([Snapshot(Canned.Task(Canned.TaskId1, TaskStatus.Pending)), Snapshot(stopped)]);

        var result = await CliHarness.RunAsync(server, "task", "run", "--task-definition", "web:1", "--wait");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("0123abcd… PENDING → STOPPED", result.Stdout, StringComparison.Ordinal);
        Assert.Contains(
            $"Task {Canned.TaskId1} stopped (TaskFailedToStart): Essential container in task exited", result.Stderr, StringComparison.Ordinal);
        Assert.Contains(
            "container web: exit code 1, CannotStartContainerError: port is already allocated", result.Stderr, StringComparison.Ordinal);
        Assert.Matches($@"(?m)^{Canned.TaskId1}\s+web:1\s+STOPPED", result.Stdout);
    }

    [Fact]
    public async Task Run_WaitPastTheTimeout_ReportsWhatIsStillPendingAndExits1()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Api.On("RunTask", Placed(Canned.Task(Canned.TaskId1, TaskStatus.Pending)));
        server.Api.OnWatch([Snapshot(Canned.Task(Canned.TaskId1, TaskStatus.Pending))]);
        var time = new FakeTimeProvider();

        var run = CliHarness.RunAsync(
            ["task", "run", "--task-definition", "web:1", "--wait", "--timeout", "2m", "--endpoint", server.Url], time, _ => null);
        await server.Api.WatchRepliesSent.WaitAsync(TestContext.Current.CancellationToken);
        time.Advance(TimeSpan.FromMinutes(2));
        var result = await run;

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Timed out after 2m waiting for tasks to be RUNNING; still waiting: 0123abcd… PENDING", result.Stderr, StringComparison.Ordinal);
        Assert.Matches($@"(?m)^{Canned.TaskId1}\s+web:1\s+PENDING", result.Stdout);
    }

    [Fact]
    public async Task Run_WatchEndsBeforeRunning_Exits1()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Api.On("RunTask", Placed(Canned.Task(Canned.TaskId1, TaskStatus.Pending)));
        server.Api.OnWatch([Snapshot(Canned.Task(Canned.TaskId1, TaskStatus.Pending))], endAfterReplies: true);

        var result = await CliHarness.RunAsync(server, "task", "run", "--task-definition", "web:1", "--wait");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("The control plane ended the watch before every task was RUNNING.", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_WaitWithJsonOutput_PrintsOneTasksDocumentAndProgressOnStderr()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Api.On("RunTask", Placed(Canned.Task(Canned.TaskId1, TaskStatus.Pending)));
        server.Api.OnWatch([Snapshot(Canned.Task(Canned.TaskId1, TaskStatus.Running))]);

        var result = await CliHarness.RunAsync(server, "task", "run", "--task-definition", "web:1", "--wait", "--output", "json");

        Assert.Equal(0, result.ExitCode);
        var document = JsonNode.Parse(result.Stdout)!;
        Assert.Equal("RUNNING", (string?)document["tasks"]![0]!["lastStatus"]);
        Assert.Contains("0123abcd… PENDING → RUNNING", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_JsonOutput_PrintsTheRunTaskResponseWithIsoTimestamps()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Api.On("RunTask", Placed(Canned.Task(Canned.TaskId1, TaskStatus.Pending)));

        var result = await CliHarness.RunAsync(server, "task", "run", "--task-definition", "web:1", "-o", "json");

        Assert.Equal(0, result.ExitCode);
        var document = JsonNode.Parse(result.Stdout)!;
        Assert.Equal(Canned.TaskArn(Canned.TaskId1), (string?)document["tasks"]![0]!["taskArn"]);
        Assert.Contains("\"createdAt\": \"2025-03-01T12:00:00.000000+00:00\"", result.Stdout, StringComparison.Ordinal);
        Assert.Empty(document["failures"]!.AsArray());
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("0s")]
    [InlineData("5")]
    public async Task Run_InvalidTimeout_IsAUsageErrorWithoutCallingTheServer(string timeout)
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);

        var result = await CliHarness.RunAsync(server, "task", "run", "--task-definition", "web:1", "--wait", "--timeout", timeout);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"'{timeout}' is not a duration", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(server.Api.Calls);
    }
}
