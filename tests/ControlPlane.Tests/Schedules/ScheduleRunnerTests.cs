using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.ControlPlane.Schedules;
using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs;

namespace Orchestrator.ControlPlane.Tests.Schedules;

/// <summary>
/// The schedule runner on a fake clock over a real state database: each due time fires once, through RunTask (tasks
/// placed on a connected instance), with its outcome in the history; restarts neither repeat nor backfill.
/// </summary>
public sealed class ScheduleRunnerTests : IDisposable
{
    private TestCluster _cluster = new();

    public void Dispose() => _cluster.Dispose();

    private ScheduleActions Actions => new(_cluster.Store, _cluster.Arns, _cluster.Clock);

    private ScheduleRunner Runner => new(_cluster.Store, _cluster.Api.Tasks, _cluster.Clock, NullLogger<ScheduleRunner>.Instance);

    private DateTimeOffset Start => new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private async Task ReadyAsync(int cpu = 2048)
    {
        await _cluster.AddInstanceAsync(cpu: cpu, memory: 1 << 16);
        await _cluster.RegisterAsync(memory: 16, cpu: 16);
    }

    private Task CreateAsync(string expression, string name = "job", string state = "ENABLED", DateTimeOffset? startDate = null,
        DateTimeOffset? endDate = null, string? afterCompletion = null, int count = 1) =>
        Actions.CreateAsync(new ScheduleInput
        {
            Name = name,
            ScheduleExpression = expression,
            State = state,
            StartDate = startDate,
            EndDate = endDate,
            ActionAfterCompletion = afterCompletion,
            FlexibleTimeWindow = new FlexibleTimeWindow { Mode = "OFF" },
            Target = new ScheduleTarget
            {
                Arn = _cluster.Arns.Cluster("default"),
                RoleArn = "arn:aws:iam::123456789012:role/scheduler",
                EcsParameters = new EcsParameters { TaskDefinitionArn = "web", TaskCount = count },
                Input = """{"containerOverrides": [{"name": "web", "command": ["echo", "scheduled"]}]}""",
            },
        }, Token);

    private ScheduleRecord Record(string name = "job") => _cluster.Store.Current.Schedules[ScheduleRecord.KeyOf("default", name)];

    private int TaskCount => _cluster.Store.Current.Tasks.Count;

    /// <summary>Moves the clock forward second by second for <paramref name="seconds"/>, running the runner at each.</summary>
    private async Task RunForAsync(int seconds, ScheduleRunner? runner = null)
    {
        runner ??= Runner;
        for (var i = 0; i < seconds; i++)
        {
            _cluster.Clock.Advance(TimeSpan.FromSeconds(1));
            await runner.RunDueAsync(Token);
        }
    }

    [Fact]
    public async Task RateOneMinute_FiresOncePerMinute_ThroughRunTask()
    {
        await ReadyAsync();
        await CreateAsync("rate(1 minute)");
        var runner = Runner;

        await RunForAsync(59, runner);
        Assert.Empty(Record().History);

        await RunForAsync(1, runner);
        var first = Assert.Single(Record().History);
        Assert.Equal(Start.AddMinutes(1), first.ScheduledTime);
        Assert.Equal("SUCCEEDED", first.Status);
        var task = _cluster.Store.Current.Tasks[Assert.Single(first.TaskArns!)];
        Assert.Equal(ScheduleRunner.StartedBy, task.Task.StartedBy);
        Assert.NotNull(task.Task.ContainerInstanceArn); // placed
        Assert.Equal(["echo", "scheduled"], task.Task.Overrides!.ContainerOverrides![0].Command);

        await RunForAsync(4 * 60, runner);
        Assert.Equal(5, Record().History.Count);
        Assert.Equal(Enumerable.Range(1, 5).Select(m => Start.AddMinutes(m)), Record().History.Select(r => r.ScheduledTime));
        Assert.All(Record().History, r => Assert.Equal("SUCCEEDED", r.Status));
        Assert.Equal(5, TaskCount);
        Assert.Equal(Start.AddMinutes(5), Record().LastFireTime);
    }

    [Fact]
    public async Task Disabled_NeverFires_UntilEnabled()
    {
        await ReadyAsync();
        await CreateAsync("rate(1 minute)", state: "DISABLED");

        await RunForAsync(180);

        Assert.Empty(Record().History);
        Assert.Equal(0, TaskCount);
    }

    [Fact]
    public async Task StartAndEndDates_BoundTheRuns()
    {
        await ReadyAsync();
        await CreateAsync("rate(1 minute)", startDate: Start.AddMinutes(3), endDate: Start.AddMinutes(5).AddSeconds(30));

        await RunForAsync(10 * 60);

        // Counted from the start date: 12:04 and 12:05; 12:06 is past the end.
        Assert.Equal([Start.AddMinutes(4), Start.AddMinutes(5)], Record().History.Select(r => r.ScheduledTime));
    }

    [Fact]
    public async Task At_FiresOnce_AndDeleteAfterCompletionRemovesIt()
    {
        await ReadyAsync();
        await CreateAsync("at(2026-11-30T12:02:00)", name: "once");
        await CreateAsync("at(2026-11-30T12:02:00)", name: "gone", afterCompletion: "DELETE");

        await RunForAsync(5 * 60);

        var run = Assert.Single(Record("once").History);
        Assert.Equal(Start.AddMinutes(2), run.ScheduledTime);
        Assert.False(_cluster.Store.Current.Schedules.ContainsKey(ScheduleRecord.KeyOf("default", "gone")));
        Assert.Equal(2, TaskCount);
    }

    [Fact]
    public async Task CronEveryFiveMinutes_FiresAtTheMarks()
    {
        await ReadyAsync();
        await CreateAsync("cron(0/5 * * * ? *)");

        await RunForAsync(16 * 60);

        Assert.Equal([Start.AddMinutes(5), Start.AddMinutes(10), Start.AddMinutes(15)], Record().History.Select(r => r.ScheduledTime));
    }

    [Fact]
    public async Task NoInstance_RecordsTheFailureReason()
    {
        await _cluster.Api.Clusters.CreateClusterAsync(new Ecs.Model.CreateClusterRequest { ClusterName = "default" }, Token);
        await _cluster.RegisterAsync();
        await CreateAsync("rate(1 minute)");

        await RunForAsync(60);

        var run = Assert.Single(Record().History);
        Assert.Equal("FAILED", run.Status);
        Assert.Contains("No Container Instances", run.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restart_AfterAFire_DoesNotFireTheSameTimeAgain()
    {
        await ReadyAsync();
        await CreateAsync("rate(1 minute)");
        await RunForAsync(61);
        Assert.Single(Record().History);

        _cluster = _cluster.Restart();
        _cluster.Clock.SetUtcNow(Start.AddSeconds(62));
        await _cluster.AddInstanceAsync(cpu: 2048, memory: 1 << 16);
        await Runner.RunDueAsync(Token);

        Assert.Single(Record().History);
        Assert.Equal(1, TaskCount);
        await RunForAsync(60);
        Assert.Equal(2, Record().History.Count);
    }

    [Fact]
    public async Task Restart_AfterBeingDownTenMinutes_RunsTheMissedTimeOnce()
    {
        await ReadyAsync();
        await CreateAsync("rate(1 minute)");
        await RunForAsync(61);

        _cluster = _cluster.Restart();
        _cluster.Clock.SetUtcNow(Start.AddMinutes(11).AddSeconds(30));
        await _cluster.AddInstanceAsync(cpu: 2048, memory: 1 << 16);
        await Runner.RunDueAsync(Token);
        await Runner.RunDueAsync(Token);

        // Not backfilled: of 12:02 … 12:11, only the latest runs.
        Assert.Equal([Start.AddMinutes(1), Start.AddMinutes(11)], Record().History.Select(r => r.ScheduledTime));
        Assert.Equal(2, TaskCount);
    }

    [Fact]
    public async Task Restart_BetweenRunTaskAndItsOutcome_ResumesWithoutASecondTask()
    {
        await ReadyAsync();
        await CreateAsync("rate(1 minute)");
        // What a control plane stopped mid-fire leaves: the fire stored as PENDING, and RunTask already done.
        var due = Start.AddMinutes(1);
        var record = Record();
        await _cluster.Store.WriteAsync(tx =>
        {
            tx.Put(record.WithRun(new ScheduleRun { ScheduledTime = due, RunTime = due }) with { LastFireTime = due });
            return true;
        }, Token);
        var started = await _cluster.Api.Tasks.RunTaskAsync(ScheduleRunner.Request(Record(), ScheduleActions.Definition(Record()), due), Token);
        var taskArn = Assert.Single(started.Tasks).TaskArn;

        _cluster = _cluster.Restart();
        _cluster.Clock.SetUtcNow(due.AddSeconds(5));
        await _cluster.AddInstanceAsync(cpu: 2048, memory: 1 << 16);
        await Runner.RunDueAsync(Token);

        var run = Assert.Single(Record().History);
        Assert.Equal("SUCCEEDED", run.Status);
        Assert.Equal([taskArn!], run.TaskArns!);
        Assert.Equal(1, TaskCount); // the clientToken returned the task already started
    }

    [Fact]
    public async Task History_KeepsTheLatestHundredRuns()
    {
        await _cluster.RegisterAsync();
        await CreateAsync("rate(1 minute)"); // no instance: each run fails fast, and is still recorded

        await RunForAsync(105 * 60);

        var history = Record().History;
        Assert.Equal(ScheduleRecord.MaxHistory, history.Count);
        Assert.Equal(Start.AddMinutes(6), history[0].ScheduledTime);
        Assert.Equal(Start.AddMinutes(105), history[^1].ScheduledTime);
    }

    [Fact]
    public async Task Schedules_SurviveARestart()
    {
        await CreateAsync("cron(0 8 ? * MON-FRI *)", name: "weekday");

        _cluster = _cluster.Restart();

        var schedule = new ScheduleActions(_cluster.Store, _cluster.Arns, _cluster.Clock).Get(new ScheduleNameInput { Name = "weekday" });
        Assert.Equal("cron(0 8 ? * MON-FRI *)", schedule.ScheduleExpression);
        Assert.Equal("arn:aws:scheduler:us-east-1:123456789012:schedule/default/weekday", schedule.Arn);
    }

    private Task<ScheduleArnOutput> CreateWithStrategyAsync(string? launchType = null, int weight = 1) =>
        Actions.CreateAsync(new ScheduleInput
        {
            Name = "job",
            ScheduleExpression = "rate(1 minute)",
            FlexibleTimeWindow = new FlexibleTimeWindow { Mode = "OFF" },
            Target = new ScheduleTarget
            {
                Arn = _cluster.Arns.Cluster("default"),
                RoleArn = "arn:aws:iam::123456789012:role/scheduler",
                EcsParameters = new EcsParameters
                {
                    TaskDefinitionArn = "web",
                    TaskCount = 4,
                    LaunchType = launchType,
                    CapacityProviderStrategy = [new SchedulerCapacityProviderStrategyItem { CapacityProvider = "pb", Weight = weight }],
                },
            },
        }, Token);

    [Fact]
    public async Task CapacityProviderStrategy_PlacesEachRunOnTheProvidersInstances()
    {
        await _cluster.AddInstanceAsync(r => r.Attributes.Add(new Contracts.Agent.Attribute { Name = "pool", Value = "a" }));
        var (b, _) = await _cluster.AddInstanceAsync(r => r.Attributes.Add(new Contracts.Agent.Attribute { Name = "pool", Value = "b" }));
        await _cluster.RegisterAsync(memory: 16, cpu: 16);
        await _cluster.Actions.InvokeAsync("CreateCapacityProvider", """{"name":"pb","autoScalingGroupProvider":{"autoScalingGroupArn":"attribute:pool == b"}}""", Token);
        await _cluster.Actions.InvokeAsync("PutClusterCapacityProviders", """{"cluster":"default","capacityProviders":["pb"],"defaultCapacityProviderStrategy":[]}""", Token);
        await CreateWithStrategyAsync();

        await RunForAsync(60);

        var run = Assert.Single(Record().History);
        Assert.Equal("SUCCEEDED", run.Status);
        Assert.Equal(4, run.TaskArns!.Count);
        Assert.All(run.TaskArns, arn =>
        {
            var task = _cluster.Store.Current.Tasks[arn].Task;
            Assert.Equal(b, task.ContainerInstanceArn);
            Assert.Equal("pb", task.CapacityProviderName);
        });
    }

    [Fact]
    public async Task CapacityProviderStrategy_WithALaunchTypeOrAnOutOfRangeWeight_IsAValidationException()
    {
        var both = await Assert.ThrowsAsync<EcsException>(() => CreateWithStrategyAsync(launchType: "EC2"));
        Assert.Equal(ScheduleActions.ValidationException, both.ErrorType);
        Assert.Contains("both LaunchType and CapacityProviderStrategy", both.Message, StringComparison.Ordinal);
        var weight = await Assert.ThrowsAsync<EcsException>(() => CreateWithStrategyAsync(weight: 1001));
        Assert.Contains("weight 0 to 1000", weight.Message, StringComparison.Ordinal);
        Assert.Empty(_cluster.Store.Current.Schedules);
    }

    [Theory]
    [InlineData("rate(1 minutes)", null, "Invalid Schedule Expression")]
    [InlineData("cron(0 12 * * * *)", null, "must be '?'")]
    [InlineData("rate(1 minute)", "not json", "Target.Input is not valid JSON")]
    [InlineData("rate(1 minute)", "[1]", "Target.Input must be a JSON object")]
    public async Task Malformed_IsAValidationException(string expression, string? input, string message)
    {
        var error = await Assert.ThrowsAsync<EcsException>(() => Actions.CreateAsync(new ScheduleInput
        {
            Name = "bad",
            ScheduleExpression = expression,
            FlexibleTimeWindow = new FlexibleTimeWindow { Mode = "OFF" },
            Target = new ScheduleTarget
            {
                Arn = _cluster.Arns.Cluster("default"),
                RoleArn = "arn:aws:iam::123456789012:role/scheduler",
                EcsParameters = new EcsParameters { TaskDefinitionArn = "web" },
                Input = input,
            },
        }, Token));

        Assert.Equal(ScheduleActions.ValidationException, error.ErrorType);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Empty(_cluster.Store.Current.Schedules);
    }
}
