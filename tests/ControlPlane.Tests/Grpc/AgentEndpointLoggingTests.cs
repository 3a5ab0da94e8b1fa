using Microsoft.Extensions.Logging;
using Orchestrator.ControlPlane.Tests.Support;
using Orchestrator.Ecs.Json;
using Orchestrator.Ecs.Model;
using Status = Orchestrator.Contracts.Agent.Status;

namespace Orchestrator.ControlPlane.Tests.Grpc;

/// <summary>What the control plane logs about agents never carries what the tasks they run were given.</summary>
public sealed class AgentEndpointLoggingTests
{
    private const string Secret = "s3cr3t-7f1c9a0e-never-logged";

    [Fact]
    public async Task RegisterSessionAndDispatch_EnvironmentValue_AppearsInNoLogLine()
    {
        var logs = new CapturingLoggerProvider();
        await using var controlPlane = new InProcessControlPlane();
        await controlPlane.StartAsync(b =>
        {
            b.Logging.AddProvider(logs);
            b.Logging.AddFilter<CapturingLoggerProvider>(null, LogLevel.Trace);
        });
        await controlPlane.CallAsync("RegisterTaskDefinition", $$"""
            {"family":"web","containerDefinitions":[{"name":"c","image":"local/busybox:1","memory":100,
              "environment":[{"name":"DB_PASSWORD","value":"{{Secret}}"}]}]}
            """);
        await using var agent = await TestAgent.ConnectAsync(controlPlane.Agents, await TestAgent.RegisterAsync(controlPlane.Agents, "host"));

        var task = Assert.Single(EcsJson.Deserialize<TasksResponse>(await controlPlane.CallAsync("RunTask", """{"taskDefinition":"web"}""")).Tasks).TaskArn;
        var run = await agent.NextAsync(m => m.RunTask?.TaskArn == task);
        await agent.ReportAsync(task, Status.Running);
        await agent.ReportAsync(task, Status.Stopped);
        await controlPlane.CallAsync("DescribeTasks", EcsJson.Serialize(new DescribeTasksRequest { Tasks = [task] }));

        Assert.Contains(Secret, run.RunTask.TaskDefinitionJson, StringComparison.Ordinal); // it did travel to the agent
        Assert.Contains(logs.Lines, l => l.Contains("connected with 0 tasks", StringComparison.Ordinal)); // and logs were captured
        Assert.Contains(logs.Lines, l => l.Contains(task, StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Lines, l => l.Contains(Secret, StringComparison.Ordinal));
    }
}
