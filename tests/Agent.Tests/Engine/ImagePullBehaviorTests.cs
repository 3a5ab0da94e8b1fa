using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Docker;
using Orchestrator.Agent.State;
using Orchestrator.Agent.Tests.Support;
using static Orchestrator.Agent.Tests.Support.TaskDefinitions;

namespace Orchestrator.Agent.Tests.Engine;

/// <summary>
/// The agent's pull behaviour (ORCH_IMAGE_PULL_BEHAVIOR, as ECS_IMAGE_PULL_BEHAVIOR) against a fake Docker driver:
/// whether a cached image is pulled again, and what a failed pull means with and without a cached image.
/// </summary>
public sealed class ImagePullBehaviorTests
{
    private const string Image = "registry.test:5000/team/app:1";

    private static async Task<(StoredTask Task, IReadOnlyList<string> Pulls)> RunAsync(
        string behavior, bool cached, string? pullFailure = null, int tasks = 1)
    {
        await using var harness = new EngineHarness(options: new AgentOptions { ImagePullBehavior = behavior, StopTimeout = TimeSpan.FromSeconds(12) });
        if (cached)
        {
            harness.Fake.Images[Image] = "sha256:cached";
        }

        if (pullFailure is not null)
        {
            harness.Fake.PullFailures[Image] = pullFailure;
        }

        await harness.StartAsync();
        StoredTask? last = null;
        for (var i = 0; i < tasks; i++)
        {
            var command = RunTask(Definition(Container("web", Image)));
            harness.Engine.RunTask(command);
            last = await harness.Store.WaitForTaskAsync(
                command.TaskArn, t => t.KnownStatus is LifecycleStatus.Running or LifecycleStatus.Stopped, "RUNNING or STOPPED", null);
        }

        return (last!, [.. harness.Fake.Pulls]);
    }

    [Theory]
    [InlineData(ImagePullBehavior.Default, true, 1)]
    [InlineData(ImagePullBehavior.Always, true, 1)]
    [InlineData(ImagePullBehavior.Once, true, 1)]
    [InlineData(ImagePullBehavior.PreferCached, true, 0)]
    [InlineData(ImagePullBehavior.PreferCached, false, 1)]
    public async Task CachedOrNot_IsPulledAsTheBehaviorSays(string behavior, bool cached, int pulls)
    {
        var (task, pulled) = await RunAsync(behavior, cached);

        Assert.Equal(LifecycleStatus.Running, task.KnownStatus);
        Assert.Equal(pulls, pulled.Count);
    }

    [Theory]
    [InlineData(ImagePullBehavior.Default, 3)]
    [InlineData(ImagePullBehavior.Always, 3)]
    [InlineData(ImagePullBehavior.Once, 1)]
    public async Task ThreeTasks_PullEachTime_OrOnce(string behavior, int pulls)
    {
        var (task, pulled) = await RunAsync(behavior, cached: true, tasks: 3);

        Assert.Equal(LifecycleStatus.Running, task.KnownStatus);
        Assert.Equal(pulls, pulled.Count);
    }

    [Fact]
    public async Task Default_AFailedPull_FallsBackToTheCachedImage()
    {
        var (task, pulled) = await RunAsync(ImagePullBehavior.Default, cached: true, pullFailure: "unauthorized: authentication required");

        Assert.Equal(LifecycleStatus.Running, task.KnownStatus);
        Assert.Single(pulled);
        Assert.Equal("sha256:cached", task.Containers[0].ImageDigest);
    }

    [Theory]
    [InlineData(ImagePullBehavior.Always, true)]
    [InlineData(ImagePullBehavior.Default, false)]
    public async Task AFailedPull_WithoutFallback_StopsTheTaskWithTheRegistrysError(string behavior, bool cached)
    {
        var (task, _) = await RunAsync(behavior, cached, pullFailure: "manifest for registry.test:5000/team/app:1 not found: manifest unknown");

        Assert.Equal(LifecycleStatus.Stopped, task.KnownStatus);
        Assert.Equal("CannotPullContainerError: manifest for registry.test:5000/team/app:1 not found: manifest unknown", task.Containers[0].Reason);
    }

    [Fact]
    public void Setting_IsReadFromTheEnvironment_AndAnUnknownValueIsRefused()
    {
        var (values, _) = AgentCommandLine.Parse([], name => name switch
        {
            "ORCH_IMAGE_PULL_BEHAVIOR" => "always",
            "ORCH_IMAGE_PULL_TIMEOUT" => "00:05:00",
            _ => null,
        });
        Assert.Contains(new KeyValuePair<string, string?>("Agent:ImagePullBehavior", "always"), values);
        Assert.Contains(new KeyValuePair<string, string?>("Agent:DockerTimeouts:Pull", "00:05:00"), values);

        var refused = new AgentOptionsValidator().Validate(null, new AgentOptions { ImagePullBehavior = "sometimes" });
        Assert.True(refused.Failed);
        Assert.Contains("ImagePullBehavior", refused.FailureMessage, StringComparison.Ordinal);
        Assert.True(new AgentOptionsValidator().Validate(null, new AgentOptions { ImagePullBehavior = "prefer-cached" }).Succeeded);
    }
}
