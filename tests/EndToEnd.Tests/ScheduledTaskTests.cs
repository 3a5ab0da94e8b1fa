using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Orchestrator.Lab;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>
/// A <c>rate(1 minute)</c> schedule made with the real AWS CLI (<c>aws scheduler</c>, unchanged) runs a task on the
/// real agent within the minute and a bit, with EventBridge's Input overrides applied, and <c>orch schedule history</c>
/// names the task.
/// </summary>
public sealed class ScheduledTaskTests
{
    [Fact(Timeout = 240_000)]
    public async Task RateOneMinute_RunsATaskOnTheAgent_AndHistoryShowsIt()
    {
        var token = TestContext.Current.CancellationToken;
        await using var cluster = await LocalCluster.StartAsync(token);
        var aws = new AwsCli($"http://127.0.0.1:{cluster.HttpPort}", LocalCluster.AccessKeyId, LocalCluster.SecretAccessKey);
        var clusterArn = (await aws.JsonAsync("ecs", "describe-clusters", "--clusters", cluster.ClusterName)).GetProperty("clusters")[0].GetProperty("clusterArn").GetString()!;
        (await aws.RunAsync("ecs", "register-task-definition", "--family", "nightly-job", "--container-definitions",
            """[{"name":"job","image":"local/busybox:1","memory":32,"command":["sleep","1"]}]""")).EnsureSuccess();
        var target = JsonSerializer.Serialize(new
        {
            Arn = clusterArn,
            RoleArn = "arn:aws:iam::000000000000:role/scheduler",
            EcsParameters = new { TaskDefinitionArn = "nightly-job", TaskCount = 1 },
            Input = """{"containerOverrides":[{"name":"job","command":["sleep","120"]}]}""",
        });

        var clock = Stopwatch.StartNew();
        var created = await aws.JsonAsync("scheduler", "create-schedule", "--name", "every-minute", "--schedule-expression", "rate(1 minute)",
            "--flexible-time-window", "Mode=OFF", "--target", target);
        Assert.EndsWith(":schedule/default/every-minute", created.GetProperty("ScheduleArn").GetString(), StringComparison.Ordinal);
        var schedule = await aws.JsonAsync("scheduler", "get-schedule", "--name", "every-minute");
        Assert.Equal("rate(1 minute)", schedule.GetProperty("ScheduleExpression").GetString());

        // Due one minute after creation; the runner sleeps until then. Bounded: 120 s for the run's outcome.
        JsonElement run = default;
        for (var attempt = 0; attempt < 60 && run.ValueKind == JsonValueKind.Undefined; attempt++)
        {
            var history = await cluster.OrchJsonAsync("schedule", "history", "every-minute");
            run = history.GetProperty("Runs").EnumerateArray().FirstOrDefault(r => r.GetProperty("Status").GetString() != "PENDING");
            if (run.ValueKind == JsonValueKind.Undefined)
            {
                await Task.Delay(TimeSpan.FromSeconds(2), token);
            }
        }

        Assert.True(run.ValueKind == JsonValueKind.Object, "no finished run within 120 s\n" + cluster.Diagnostics());
        var fired = clock.Elapsed;
        Assert.True(run.GetProperty("Status").GetString() == "SUCCEEDED", run.ToString());
        var taskArn = Assert.Single(run.GetProperty("TaskArns").EnumerateArray().ToList()).GetString()!;

        (await aws.RunAsync("ecs", "wait", "tasks-running", "--cluster", cluster.ClusterName, "--tasks", taskArn)).EnsureSuccess();
        var running = clock.Elapsed;
        var task = (await aws.JsonAsync("ecs", "describe-tasks", "--cluster", cluster.ClusterName, "--tasks", taskArn)).GetProperty("tasks")[0];
        Assert.Equal("RUNNING", task.GetProperty("lastStatus").GetString());
        Assert.Equal("orch-scheduler", task.GetProperty("startedBy").GetString());

        // The real container runs the command EventBridge's Input gave.
        var containers = await cluster.Docker.Containers.ListContainersAsync(new Docker.DotNet.Models.ContainersListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"com.amazonaws.ecs.task-arn={taskArn}"] = true } },
        }, token);
        var container = Assert.Single(containers);
        Assert.Equal("sleep 120", container.Command);

        (await aws.RunAsync("scheduler", "delete-schedule", "--name", "every-minute")).EnsureSuccess();
        // The control plane's own times: created, due (one minute later), run (RunTask asked).
        static DateTimeOffset Time(JsonElement document, string member) =>
            DateTimeOffset.Parse(document.GetProperty(member).GetString()!, CultureInfo.InvariantCulture); // the CLIs print ISO 8601
        var createdAt = Time(schedule, "CreationDate");
        var scheduledAt = Time(run, "ScheduledTime");
        var ranAt = Time(run, "RunTime");
        Assert.InRange((scheduledAt - createdAt).TotalSeconds, 59.99, 60.01); // the AWS CLI reads epoch seconds as a float
        TestContext.Current.TestOutputHelper?.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"rate(1 minute): due {(scheduledAt - createdAt).TotalSeconds:0.000} s after creation, RunTask asked {(ranAt - scheduledAt).TotalSeconds:0.000} s after due; seen in history {fired.TotalSeconds:0.0} s and task RUNNING {running.TotalSeconds:0.0} s after the aws create-schedule command started"));
    }
}
