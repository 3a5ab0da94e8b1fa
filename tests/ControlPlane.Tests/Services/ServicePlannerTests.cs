using Orchestrator.ControlPlane.Services;
using Orchestrator.Ecs.Model;
using TaskStatus = Orchestrator.Ecs.Model.TaskStatus;

namespace Orchestrator.ControlPlane.Tests.Services;

public sealed class ServicePlannerTests
{
    [Fact]
    public void NewService_StartsDesiredCount_ThenCompletesAndIsSteady()
    {
        var world = new ServiceWorld(desired: 4);

        var first = world.Plan();
        Assert.Equal(4, Assert.Single(first.Launches).Count);
        world.RunToQuiet();

        Assert.Equal(4, world.Healthy);
        var primary = Assert.Single(world.Service.Deployments);
        Assert.Equal(RolloutStates.Completed, primary.RolloutState);
        Assert.Equal("td:1", world.Service.LastCompletedTaskDefinitionArn);
        Assert.Contains("(service web) has reached a steady state.", world.Events);
        Assert.Contains($"(service web) (deployment {primary.Id}) deployment completed.", world.Events);
        Assert.Single(world.Events, e => e.EndsWith("steady state.", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(4, 2)]
    [InlineData(4, 6)]
    [InlineData(4, 0)]
    [InlineData(1, 5)]
    public void Scale_ToNewDesiredCount_EndsWithExactlyThatMany(int from, int to)
    {
        var world = new ServiceWorld(desired: from);
        world.RunToQuiet();

        world.Update(s => s with { DesiredCount = to });
        world.RunToQuiet();

        Assert.Equal(to, world.Live.Count());
        Assert.Equal(to, world.Healthy);
    }

    [Fact]
    public void ScaleIn_StopsFromTheBusiestInstanceFirst()
    {
        var world = new ServiceWorld(desired: 3, instances: 2);
        world.RunToQuiet();
        world.SetInstance("i2", i => i); // a third instance joins, empty
        world.Update(s => s with { DesiredCount = 2 });

        var plan = world.Plan();

        var stopped = Assert.Single(plan.Stops);
        var instance = world.Tasks.Single(t => t.Arn == stopped.TaskArn).InstanceArn;
        Assert.Equal(2, world.Tasks.Count(t => t.InstanceArn == instance));
    }

    [Fact]
    public void ScaleIn_NeverStopsAProtectedTask_ItStaysAboveTheDesiredCountUntilItsProtectionEnds()
    {
        var world = new ServiceWorld(desired: 3, instances: 2);
        world.RunToQuiet();
        var live = world.Live.ToList();
        world.Protect(live[0]);
        world.Protect(live[1]);
        world.Update(s => s with { DesiredCount = 1 });

        var plan = world.Plan();

        var stopped = Assert.Single(plan.Stops);
        Assert.Equal(live[2].Arn, stopped.TaskArn);
        Assert.Empty(plan.Launches);

        world.RunToQuiet();
        Assert.Equal([live[0].Arn, live[1].Arn], world.Live.Select(t => t.Arn));
        world.Protect(world.Live.First(), on: false); // its protection ended
        var later = world.Plan();
        Assert.Equal(live[0].Arn, Assert.Single(later.Stops).TaskArn);
    }

    [Fact]
    public void Deployment_StartsNewTasksBesideAProtectedOldOne_AndReplacesItOnlyOnceItsProtectionEnds()
    {
        var world = new ServiceWorld(desired: 2, instances: 2, minHealthy: 50, maxPercent: 200);
        world.RunToQuiet();
        var old = world.Live.ToList();
        world.Protect(old[0]);
        world.Deploy("td:2");

        world.RunToQuiet();

        Assert.True(world.Tasks.Single(t => t.Arn == old[0].Arn).IsActive);
        Assert.False(world.Tasks.Single(t => t.Arn == old[1].Arn).IsActive);
        Assert.Equal(2, world.Live.Count(t => t.DeploymentId != old[0].DeploymentId && t.IsActive));

        world.Protect(world.Tasks.Single(t => t.Arn == old[0].Arn), on: false);
        world.RunToQuiet();
        Assert.False(world.Tasks.Single(t => t.Arn == old[0].Arn).IsActive);
        Assert.Equal(2, world.Live.Count(t => t.IsActive));
    }

    [Fact]
    public void KilledTask_IsReplacedAtOnce()
    {
        var world = new ServiceWorld(desired: 4);
        world.RunToQuiet();

        world.Kill(world.Live.First());
        var plan = world.Plan();

        Assert.Equal(1, Assert.Single(plan.Launches).Count);
        Assert.Equal(1, world.Service.ConsecutiveFailures);
        Assert.Null(world.Service.NextLaunchAt);
    }

    [Theory]
    [InlineData(200)]
    [InlineData(100)]
    public void TaskGoingDown_IsReplacedAtOnce_EvenWhenMaximumPercentLeavesNoRoom(int maxPercent)
    {
        var world = new ServiceWorld(desired: 2, maxPercent: maxPercent);
        world.RunToQuiet();

        world.StartStopping(world.Live.First());
        var plan = world.Plan();

        Assert.Equal(1, Assert.Single(plan.Launches).Count);
        Assert.Empty(plan.Stops);
    }

    [Fact]
    public void UnhealthyTask_IsReplacedAfterTheGracePeriod()
    {
        var world = new ServiceWorld(desired: 2);
        world.Update(s => s with { HealthCheckGracePeriodSeconds = 60 });
        world.BadTaskDefinitions.Add("td:1");
        world.Plan();
        world.Tick(); // running, unhealthy, within grace

        Assert.Empty(world.Plan().Stops);
        world.Tick(TimeSpan.FromSeconds(61));
        var plan = world.Plan();

        Assert.Equal(2, plan.Stops.Count);
        Assert.All(plan.Stops, s => Assert.Equal(ServiceMessages.HealthCheckFailed, s.Reason));
    }

    [Theory]
    [InlineData(int.MaxValue, 100, 200, int.MaxValue, int.MaxValue)]
    [InlineData(5000, 100, 200, 5000, 10000)]
    [InlineData(3, 50, 150, 2, 4)]
    public void Bounds_LargeDesiredCount_DoesNotOverflow(int desired, int minHealthy, int maxPercent, int expectedMin, int expectedMax)
    {
        Assert.Equal((expectedMin, expectedMax), ServicePlanner.Bounds(desired, minHealthy, maxPercent));
    }

    public static TheoryData<int, int, int> Bounds => new()
    {
        // desired, minimumHealthyPercent, maximumPercent
        { 4, 100, 200 },
        { 4, 50, 200 },
        { 4, 50, 100 },
        { 4, 0, 100 },
        { 6, 75, 125 },
        { 3, 100, 150 },
        { 5, 60, 140 },
    };

    [Theory]
    [MemberData(nameof(Bounds))]
    public void RollingDeployment_StaysWithinMinAndMaxAtEveryStep(int desired, int minHealthy, int maxPercent)
    {
        var world = new ServiceWorld(desired: desired, minHealthy: minHealthy, maxPercent: maxPercent);
        world.RunToQuiet();
        var (minimum, maximum) = ServicePlanner.Bounds(desired, minHealthy, maxPercent);

        world.Deploy("td:2");
        world.RunToQuiet(afterEachPass: () =>
        {
            Assert.True(world.Healthy >= minimum, $"healthy {world.Healthy} fell below {minimum}");
            Assert.True(world.Live.Count() <= Math.Max(maximum, desired), $"{world.Live.Count()} tasks exceed {maximum}");
        });

        Assert.All(world.Live, t => Assert.Equal(world.Service.Primary!.Id, t.DeploymentId));
        Assert.Equal(desired, world.Healthy);
        Assert.Equal(RolloutStates.Completed, Assert.Single(world.Service.Deployments).RolloutState);
    }

    [Fact]
    public void ImpossibleBounds_SayTheConfigurationDeadlocks()
    {
        var world = new ServiceWorld(desired: 2, minHealthy: 100, maxPercent: 100);
        world.RunToQuiet();

        world.Deploy("td:2");
        world.RunToQuiet(maxPasses: 5);

        Assert.Contains(ServiceMessages.ConfigurationDeadlock("web"), world.Events);
        Assert.Equal(2, world.Service.Deployments.Count);
    }

    [Theory]
    [InlineData(1, 3)]
    [InlineData(4, 3)]
    [InlineData(10, 5)]
    [InlineData(25, 13)]
    [InlineData(400, 200)]
    [InlineData(800, 200)]
    public void FailureThreshold_IsHalfTheDesiredCountWithinThreeAndTwoHundred(int desired, int threshold) =>
        Assert.Equal(threshold, ServicePlanner.FailureThreshold(desired));

    [Fact]
    public void CircuitBreaker_BadImage_FailsTheDeploymentAndRollsBack()
    {
        var world = new ServiceWorld(desired: 4, circuitBreaker: true, rollback: true);
        world.RunToQuiet();
        var good = world.Service.Primary!.Id;

        world.BadTaskDefinitions.Add("td:2");
        world.Deploy("td:2");
        var failedId = world.Service.Primary!.Id;
        world.RunToQuiet(maxPasses: 60, afterEachPass: () => Assert.True(world.Healthy >= 4, "the old tasks must keep serving"));

        var failed = world.Service.Deployments.SingleOrDefault(d => d.Id == failedId);
        Assert.Contains(ServiceMessages.DeploymentFailed("web", failedId), world.Events);
        Assert.Contains(world.Events, e => e.Contains("rolling back to td:1", StringComparison.Ordinal));
        var primary = Assert.Single(world.Service.Deployments);
        Assert.NotEqual(good, primary.Id);
        Assert.Equal("td:1", primary.TaskDefinition);
        Assert.Equal(RolloutStates.Completed, primary.RolloutState);
        Assert.Equal("td:1", world.Service.TaskDefinitionArn);
        Assert.Null(failed); // retired once its tasks were gone
        Assert.Equal(4, world.Healthy);
    }

    [Fact]
    public void CircuitBreaker_WithoutRollback_StopsLaunchingAndKeepsTheOldTasks()
    {
        var world = new ServiceWorld(desired: 4, circuitBreaker: true, rollback: false);
        world.RunToQuiet();
        world.BadTaskDefinitions.Add("td:2");
        world.Deploy("td:2");

        world.RunToQuiet(maxPasses: 60);

        var primary = world.Service.Primary!;
        Assert.Equal(RolloutStates.Failed, primary.RolloutState);
        Assert.Equal(ServiceMessages.CircuitBreakerReason, primary.RolloutStateReason);
        Assert.Empty(world.Plan().Launches);
        Assert.Equal(4, world.Live.Count(t => t.DeploymentId != primary.Id && t.Health == TaskHealth.Healthy));
    }

    [Fact]
    public void FailedTasks_ResetWhenATaskBecomesHealthy()
    {
        var world = new ServiceWorld(desired: 4, circuitBreaker: true);
        world.Plan();
        world.Kill(world.Live.First());
        world.Kill(world.Live.First());
        world.Plan();
        Assert.Equal(2, world.Service.Primary!.FailedTasks);

        world.Tick();
        world.Plan();

        Assert.Equal(0, world.Service.Primary!.FailedTasks);
        Assert.Equal(0, world.Service.ConsecutiveFailures);
    }

    [Fact]
    public void RepeatedFailures_ThrottleRelaunchingWithGrowingDelays()
    {
        var world = new ServiceWorld(desired: 1);
        var delays = new List<TimeSpan>();
        for (var i = 0; i < 6; i++)
        {
            world.Plan();
            foreach (var task in world.Live.ToList())
            {
                world.Kill(task);
            }

            var plan = world.Plan();
            delays.Add(world.Service.NextLaunchAt is { } at ? at - world.Now : TimeSpan.Zero);
            if (world.Service.NextLaunchAt is { } blocked)
            {
                Assert.Empty(plan.Launches);
                world.Tick(blocked - world.Now);
            }
        }

        Assert.Equal([TimeSpan.Zero, TimeSpan.Zero, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(40)], delays);
        Assert.Single(world.Events, e => e == ServiceMessages.Throttled("web"));
        Assert.Equal(TimeSpan.FromMinutes(15), ServicePlanner.RelaunchDelay(40));
    }

    [Fact]
    public void Draining_MovesTasksWithinBoundsAndPlacesNothingThere()
    {
        var world = new ServiceWorld(desired: 4, instances: 3, minHealthy: 50, maxPercent: 150);
        world.RunToQuiet();
        var onI0 = world.Live.Count(t => t.InstanceArn == "i0");
        Assert.True(onI0 > 0);

        world.SetInstance("i0", i => i with { Status = ContainerInstanceStatus.Draining, Eligible = false });
        world.RunToQuiet(afterEachPass: () => Assert.True(world.Healthy >= 2));

        Assert.DoesNotContain(world.Live, t => t.InstanceArn == "i0");
        Assert.Equal(4, world.Healthy);
        Assert.Contains(world.Tasks, t => t.StoppedReason == ServiceMessages.InstanceDraining);

        world.SetInstance("i0", i => i with { Status = ContainerInstanceStatus.Active, Eligible = true });
        Assert.False(world.Plan().StartsOrStops); // reactivating moves nothing back by itself
    }

    [Fact]
    public void Daemon_OneTaskPerEligibleInstanceIncludingOnesThatJoinLater()
    {
        var world = new ServiceWorld(instances: 2, daemon: true, minHealthy: 0, maxPercent: 100);
        world.RunToQuiet();
        Assert.Equal(["i0", "i1"], world.Live.Select(t => t.InstanceArn!).Order());

        world.SetInstance("i2", i => i);
        world.RunToQuiet();
        Assert.Equal(["i0", "i1", "i2"], world.Live.Select(t => t.InstanceArn!).Order());
        Assert.Equal(3, world.Service.Primary!.DesiredCount);

        world.SetInstance("i1", i => i with { Status = ContainerInstanceStatus.Draining, Eligible = false });
        world.RunToQuiet();
        Assert.Equal(["i0", "i2"], world.Live.Select(t => t.InstanceArn!).Order());

        world.SetInstance("i2", i => i with { Eligible = false }); // no longer meets the constraints
        world.RunToQuiet();
        Assert.Equal(["i0"], world.Live.Select(t => t.InstanceArn!));
    }

    [Fact]
    public void Daemon_Deployment_ReplacesEachInstancesTaskStopFirst()
    {
        var world = new ServiceWorld(instances: 3, daemon: true, minHealthy: 0, maxPercent: 100);
        world.RunToQuiet();

        world.Deploy("td:2");
        world.RunToQuiet(afterEachPass: () =>
            Assert.All(world.Instances, i => Assert.True(world.Live.Count(t => t.InstanceArn == i.Arn) <= 1)));

        Assert.Equal(3, world.Live.Count(t => t.DeploymentId == world.Service.Primary!.Id));
        Assert.Single(world.Service.Deployments);
    }

    [Fact]
    public void DeletedService_StopsEverythingThenBecomesInactive()
    {
        var world = new ServiceWorld(desired: 3);
        world.RunToQuiet();

        world.Update(s => s with { Status = ServiceStatus.Draining, DesiredCount = 0 });
        world.RunToQuiet();

        Assert.Empty(world.Live);
        Assert.Equal(ServiceStatus.Inactive, world.Service.Status);
        Assert.All(world.Tasks, t => Assert.Equal(TaskStatus.Stopped, t.LastStatus));
    }
}
