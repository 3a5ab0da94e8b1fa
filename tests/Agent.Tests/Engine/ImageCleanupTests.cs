using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Engine;
using Orchestrator.Agent.State;
using Orchestrator.Agent.Tests.Support;
using Orchestrator.Ecs.Model;
using static Orchestrator.Agent.Tests.Support.TaskDefinitions;

namespace Orchestrator.Agent.Tests.Engine;

/// <summary>
/// Image cleanup (as the ECS agent's): the selection of one cycle as a pure function, the tracker fed by the task
/// engine (an accepted task's image is in use before any container exists, and stays so until the task is cleaned
/// up), the tracker's file across a restart, and the settings.
/// </summary>
public sealed class ImageCleanupTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly HashSet<string> None = new(StringComparer.Ordinal);

    private static TrackedImage Image(string name, double unusedHours, double? trackedHours = null) =>
        new(name, Now.AddHours(-(trackedHours ?? unusedHours + 1)), Now.AddHours(-unusedHours));

    private static ImageCleanupPolicy Policy(int maxPerCycle = 5, int keepPerRepository = 0, params string[] exclusions) =>
        new(TimeSpan.FromHours(3), maxPerCycle, keepPerRepository, exclusions);

    [Fact]
    public void Select_OnlyImagesUnusedForTheMinimumAge_OldestFirst()
    {
        var tracked = new[] { Image("a:1", 5), Image("b:1", 2.9), Image("c:1", 10), Image("d:1", 3) };

        var chosen = Policy().Select(tracked, None, Now);

        Assert.Equal(["c:1", "a:1", "d:1"], chosen);
    }

    [Fact]
    public void Select_RecentlyPulled_NotRemovedEvenIfLastUseIsOld()
    {
        // Tracked for only one hour (e.g. pulled an hour ago), whatever its last use says.
        var chosen = Policy().Select([Image("a:1", 5, trackedHours: 1)], None, Now);

        Assert.Empty(chosen);
    }

    [Fact]
    public void Select_InUseAndExcluded_NeverChosen()
    {
        var tracked = new[] { Image("app:1", 10), Image("app:2", 10), Image("tools:1", 10), Image("tools:2", 10), Image("keep:9", 10) };
        var inUse = new HashSet<string>(["app:1"], StringComparer.Ordinal);

        // "tools" excludes every tag of the repository, "keep:9" that one image.
        var chosen = Policy(5, 0, "tools", "keep:9").Select(tracked, inUse, Now);

        Assert.Equal(["app:2"], chosen);
    }

    [Fact]
    public void Select_AtMostNPerCycle_TheOldest()
    {
        var tracked = Enumerable.Range(1, 8).Select(i => Image($"img{i}:1", 3 + i)).ToList();

        var chosen = Policy(maxPerCycle: 3).Select(tracked, None, Now);

        Assert.Equal(["img8:1", "img7:1", "img6:1"], chosen);
    }

    [Fact]
    public void Select_KeepsTheMostRecentPerRepository_InUseCountingAsMostRecent()
    {
        var tracked = new[]
        {
            Image("registry.test:5000/team/web:1", 30), Image("registry.test:5000/team/web:2", 20), Image("registry.test:5000/team/web:3", 10),
            Image("api:1", 30), Image("api:2", 10), Image("solo:1", 50),
        };
        var inUse = new HashSet<string>(["api:1"], StringComparer.Ordinal);

        var keepOne = Policy(keepPerRepository: 1).Select(tracked, inUse, Now);
        var keepTwo = Policy(keepPerRepository: 2).Select(tracked, inUse, Now);
        var keepNone = Policy(maxPerCycle: 10).Select(tracked, inUse, Now);

        // web: 3 is the most recent; api: 1 is in use, so it is "most recent" and api:2 may go; solo:1 is its repository's only one.
        Assert.Equal(["registry.test:5000/team/web:1", "registry.test:5000/team/web:2", "api:2"], keepOne);
        Assert.Equal(["registry.test:5000/team/web:1"], keepTwo);
        // Equal last uses: by name.
        Assert.Equal(["solo:1", "registry.test:5000/team/web:1", "registry.test:5000/team/web:2", "api:2", "registry.test:5000/team/web:3"], keepNone);
    }

    [Fact]
    public async Task Engine_AcceptedTask_ImageInUseBeforePull_AndUntilCleanedUp_ThenAgesFromThen()
    {
        const string image = "registry.test:5000/team/app:7";
        await using var harness = new EngineHarness(options: new AgentOptions { TaskCleanupWait = TimeSpan.FromMinutes(1) });
        harness.Fake.PullGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await harness.StartAsync();
        var command = RunTask(Definition(Container("web", image)));

        harness.Engine.RunTask(command);
        await harness.Store.WaitForAsync(() => harness.Fake.Pulls.Contains(image) ? "" : null, "the pull to start");

        Assert.True(harness.Images.InUse(image)); // accepted, no container yet
        Assert.Empty(harness.Images.Tracked()); // nothing pulled yet

        harness.Fake.PullGate.SetResult();
        await harness.Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Running);
        var tracked = Assert.Single(harness.Images.Tracked());
        Assert.Equal(image, tracked.Image);
        Assert.Equal(harness.Time.GetUtcNow(), tracked.LastUsed);

        harness.Engine.StopTask(command.TaskArn, "done");
        await harness.Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Stopped);
        harness.Store.Acknowledge(harness.Store.LastSequence);
        Assert.True(harness.Images.InUse(image)); // stopped but not cleaned up yet
        harness.FakeTime.Advance(TimeSpan.FromMinutes(2));
        await harness.Store.WaitForAsync(() => harness.Store.LoadTasks().Any(t => t.TaskArn == command.TaskArn) ? null : "", "the task to be forgotten");
        var goneAt = harness.Time.GetUtcNow();

        Assert.False(harness.Images.InUse(image));
        Assert.Equal(goneAt, Assert.Single(harness.Images.Tracked()).LastUsed);
        var policy = ImageCleanupService.PolicyOf(harness.Options);
        Assert.Empty(policy.Select(harness.Images.Tracked(), harness.Images.ImagesInUse(), goneAt.AddHours(2.9)));
        Assert.Equal([image], policy.Select(harness.Images.Tracked(), harness.Images.ImagesInUse(), goneAt.AddHours(3)));

        // The agent restarts: what it pulled is still tracked (DATA-DIR/images.tsv).
        await harness.RestartAsync();
        Assert.Equal(goneAt, Assert.Single(harness.Images.Tracked()).LastUsed);
    }

    [Fact]
    public async Task Service_RemovesChosenImages_AFailedRemovalIsSkippedAndStaysTracked()
    {
        var time = new FakeTimeProvider(Now);
        var tracker = new ImageTracker(time);
        var driver = new FakeDockerDriver();
        driver.ImageRemoveFailures["busy:1"] = "conflict: unable to remove repository reference \"busy:1\" (must force) - container 0123 is using its referenced image";
        tracker.Used("busy:1");
        tracker.Used("old:1");
        tracker.Used("used:1");
        tracker.TaskKnown("arn:task/1", ["used:1"]);
        time.Advance(TimeSpan.FromHours(4));
        var service = new ImageCleanupService(tracker, driver, Microsoft.Extensions.Options.Options.Create(new AgentOptions()), time, NullLogger<ImageCleanupService>.Instance);

        var removed = await service.RunOnceAsync(TestContext.Current.CancellationToken);

        Assert.Equal(["old:1"], removed);
        Assert.Equal(["busy:1", "old:1"], driver.ImageRemovals.Order(StringComparer.Ordinal));
        Assert.Equal(["busy:1", "used:1"], tracker.Tracked().Select(i => i.Image).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Settings_ReadFromTheEnvironment_DefaultsAsDocumented_AndBadValuesRefused()
    {
        var (values, _) = AgentCommandLine.Parse([], name => name switch
        {
            "ORCH_IMAGE_CLEANUP_ENABLED" => "false",
            "ORCH_IMAGE_CLEANUP_INTERVAL" => "00:10:00",
            "ORCH_IMAGE_MINIMUM_CLEANUP_AGE" => "01:00:00",
            "ORCH_NUM_IMAGES_DELETE_PER_CYCLE" => "2",
            "ORCH_IMAGES_TO_KEEP_PER_REPOSITORY" => "1",
            "ORCH_IMAGE_CLEANUP_EXCLUSIONS" => "busybox,nginx:1",
            _ => null,
        });
        Assert.Contains(new KeyValuePair<string, string?>("Agent:ImageCleanupEnabled", "false"), values);
        Assert.Contains(new KeyValuePair<string, string?>("Agent:ImageCleanupInterval", "00:10:00"), values);
        Assert.Contains(new KeyValuePair<string, string?>("Agent:ImageMinimumCleanupAge", "01:00:00"), values);
        Assert.Contains(new KeyValuePair<string, string?>("Agent:NumImagesToDeletePerCycle", "2"), values);
        Assert.Contains(new KeyValuePair<string, string?>("Agent:ImagesToKeepPerRepository", "1"), values);
        Assert.Contains(new KeyValuePair<string, string?>("Agent:ImageCleanupExclusions", "busybox,nginx:1"), values);

        var defaults = new AgentOptions();
        Assert.True(defaults.ImageCleanupEnabled);
        Assert.Equal(TimeSpan.FromHours(3), defaults.ImageCleanupInterval);
        Assert.Equal(TimeSpan.FromHours(3), defaults.ImageMinimumCleanupAge);
        Assert.Equal(5, defaults.NumImagesToDeletePerCycle);
        Assert.Equal(0, defaults.ImagesToKeepPerRepository);
        Assert.Equal(["busybox", "nginx:1"], new AgentOptions { ImageCleanupExclusions = " busybox , nginx:1" }.ImageCleanupExclusionList);

        var validator = new AgentOptionsValidator();
        Assert.True(validator.Validate(null, new AgentOptions()).Succeeded);
        foreach (var bad in new[]
        {
            new AgentOptions { ImageCleanupInterval = TimeSpan.Zero },
            new AgentOptions { ImageMinimumCleanupAge = TimeSpan.FromMinutes(-1) },
            new AgentOptions { NumImagesToDeletePerCycle = 0 },
            new AgentOptions { ImagesToKeepPerRepository = -1 },
        })
        {
            var result = validator.Validate(null, bad);
            Assert.True(result.Failed);
            Assert.Contains("Image", result.FailureMessage, StringComparison.Ordinal);
        }
    }
}
