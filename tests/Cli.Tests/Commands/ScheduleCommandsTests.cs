using System.Text.Json.Nodes;
using Orchestrator.Cli.Tests.Fakes;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Cli.Tests.Commands;

/// <summary><c>orch schedule …</c> against a fake cluster API: the scheduler documents it sends, and what it prints.</summary>
public sealed class ScheduleCommandsTests
{
    private const string Current = """
        {"Arn": "arn:aws:scheduler:us-east-1:000000000000:schedule/default/job", "Name": "job", "GroupName": "default",
         "ScheduleExpression": "rate(5 minutes)", "ScheduleExpressionTimezone": "UTC", "State": "ENABLED",
         "FlexibleTimeWindow": {"Mode": "OFF"}, "ActionAfterCompletion": "NONE",
         "Target": {"Arn": "arn:aws:ecs:us-east-1:000000000000:cluster/prod", "RoleArn": "arn:aws:iam::000000000000:role/r",
                    "EcsParameters": {"TaskDefinitionArn": "web:1", "TaskCount": 1}},
         "CreationDate": 1796594648.572, "LastModificationDate": 1796594648.572}
        """;

    [Fact]
    public async Task Create_SendsTheSchedulerDocument_WithTheClustersArn()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Api.On("DescribeClusters", new DescribeClustersResponse([Canned.Cluster("prod")], []));
        server.Api.On("CreateSchedule", """{"ScheduleArn": "arn:aws:scheduler:us-east-1:000000000000:schedule/default/job"}""");

        var result = await CliHarness.RunAsync(server, "schedule", "create", "job", "-e", "rate(5 minutes)", "-t", "web:1", "--cluster", "prod",
            "--count", "2", "--timezone", "Europe/Paris", "--input", """{"containerOverrides":[]}""", "--start-date", "2027-01-01T00:00:00Z");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("arn:aws:scheduler:us-east-1:000000000000:schedule/default/job", result.Stdout.Trim());
        var request = Assert.Single(server.Api.CallsTo("CreateSchedule")).Request;
        Assert.Equal("job", (string?)request["Name"]);
        Assert.Equal("rate(5 minutes)", (string?)request["ScheduleExpression"]);
        Assert.Equal("Europe/Paris", (string?)request["ScheduleExpressionTimezone"]);
        Assert.Equal("OFF", (string?)request["FlexibleTimeWindow"]!["Mode"]);
        Assert.Equal(1798761600m, (decimal)request["StartDate"]!);
        Assert.Equal(Canned.Prefix + "cluster/prod", (string?)request["Target"]!["Arn"]);
        Assert.Equal("arn:aws:iam::000000000000:role/orch-scheduler", (string?)request["Target"]!["RoleArn"]);
        Assert.Equal("""{"containerOverrides":[]}""", (string?)request["Target"]!["Input"]);
        Assert.Equal("web:1", (string?)request["Target"]!["EcsParameters"]!["TaskDefinitionArn"]);
        Assert.Equal(2, (int)request["Target"]!["EcsParameters"]!["TaskCount"]!);
    }

    [Fact]
    public async Task Update_KeepsWhatIsNotGiven_AndDropsTheReadOnlyMembers()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Api.On("GetSchedule", Current);
        server.Api.On("UpdateSchedule", """{"ScheduleArn": "arn:aws:scheduler:us-east-1:000000000000:schedule/default/job"}""");

        var result = await CliHarness.RunAsync(server, "schedule", "update", "job", "--state", "DISABLED", "--count", "3");

        Assert.Equal(0, result.ExitCode);
        var request = Assert.Single(server.Api.CallsTo("UpdateSchedule")).Request;
        Assert.Equal("DISABLED", (string?)request["State"]);
        Assert.Equal("rate(5 minutes)", (string?)request["ScheduleExpression"]);
        Assert.Equal("arn:aws:ecs:us-east-1:000000000000:cluster/prod", (string?)request["Target"]!["Arn"]);
        Assert.Equal("arn:aws:iam::000000000000:role/r", (string?)request["Target"]!["RoleArn"]);
        Assert.Equal(3, (int)request["Target"]!["EcsParameters"]!["TaskCount"]!);
        Assert.Null(request["Arn"]);
        Assert.Null(request["CreationDate"]);
        Assert.Empty(server.Api.CallsTo("DescribeClusters"));
    }

    [Fact]
    public async Task History_PrintsEachRunAndTheNextTime()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Api.On("GetScheduleHistory", """
            {"Arn": "arn:aws:scheduler:us-east-1:000000000000:schedule/default/job", "NextFireTime": 1796594760,
             "Runs": [{"ScheduledTime": 1796594700, "RunTime": 1796594700.1, "Status": "SUCCEEDED", "TaskArns": ["arn:aws:ecs:us-east-1:000000000000:task/prod/abc123"]},
                      {"ScheduledTime": 1796594640, "RunTime": 1796594640.1, "Status": "FAILED", "Reason": "RESOURCE:MEMORY"}]}
            """);

        var result = await CliHarness.RunAsync(server, "schedule", "history", "job");

        Assert.Equal(0, result.ExitCode);
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^SCHEDULED\s+STATUS\s+TASKS\s+REASON$", lines[0]);
        Assert.Matches(@"SUCCEEDED\s+abc123\s+-$", lines[1]);
        Assert.Matches(@"FAILED\s+-\s+RESOURCE:MEMORY$", lines[2]);
        Assert.StartsWith("Next run: ", lines[3], StringComparison.Ordinal);
    }

    [Fact]
    public async Task RefusedExpression_IsTheSchedulersError_Exit254()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Api.On("DescribeClusters", new DescribeClustersResponse([Canned.Cluster("default")], []));
        server.Api.Fail("CreateSchedule", "ValidationException", "Invalid Schedule Expression rate(1 minutes): rate(1 …) takes a singular unit: rate(1 minute).");

        var result = await CliHarness.RunAsync(server, "schedule", "create", "job", "-e", "rate(1 minutes)", "-t", "web");

        Assert.Equal(254, result.ExitCode);
        Assert.Contains("An error occurred (ValidationException) when calling the CreateSchedule operation: Invalid Schedule Expression", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_WithoutAnExpression_IsAUsageError()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);

        var result = await CliHarness.RunAsync(server, "schedule", "create", "job", "-t", "web");

        Assert.Equal(252, result.ExitCode);
        Assert.Empty(server.Api.Calls);
    }
}
