using Orchestrator.ControlPlane.Scheduling;
using Orchestrator.ControlPlane.Scheduling.Query;
using static Orchestrator.ControlPlane.Tests.Scheduling.Hosts;

namespace Orchestrator.ControlPlane.Tests.Scheduling;

/// <summary>Every subject of the cluster query language against one instance.</summary>
public sealed class QuerySubjectTests
{
    private static readonly InstanceSnapshot Instance = Host(
        "a1b2",
        ec2InstanceId: "i-abcd1234",
        agentVersion: "1.14.5",
        registeredAt: new DateTimeOffset(2018, 6, 18, 22, 28, 28, TimeSpan.Zero),
        groups: Groups(("service:web", 1)));

    [Theory]
    [InlineData("agentConnected == true", true)]
    [InlineData("agentConnected == TRUE", true)]
    [InlineData("agentConnected == false", false)]
    [InlineData("agentConnected != false", true)]
    [InlineData("agentConnected in [true]", true)]
    [InlineData("agentVersion == 1.14.5", true)]
    [InlineData("agentVersion == 1.14.5.0", true)]
    [InlineData("agentVersion != 1.14.5", false)]
    [InlineData("agentVersion < 1.14.10", true)] // by version, not text
    [InlineData("agentVersion > 1.9", true)]
    [InlineData("agentVersion >= 1.14.5", true)]
    [InlineData("agentVersion <= 1.14.4", false)]
    [InlineData("ec2InstanceId == i-abcd1234", true)]
    [InlineData("ec2InstanceId in ['i-abcd1234', 'i-wxyx7890']", true)]
    [InlineData("ec2InstanceId =~ i-abcd.*", true)]
    [InlineData("ec2InstanceId == a1b2", true)] // the container instance ID names it too
    [InlineData("ec2InstanceId != i-abcd1234", false)]
    [InlineData("ec2InstanceId !~ i-.*", false)]
    [InlineData("registeredAt < 2018-06-19", true)]
    [InlineData("registeredAt >= 2018-06-19", false)]
    [InlineData("registeredAt > 2018-06-18T22:28:27Z", true)]
    [InlineData("registeredAt == 2018-06-18T22:28:28+00:00", true)]
    [InlineData("registeredAt == 2018-06-18T22:28:28", true)]
    [InlineData("registeredAt <= 2018-06-18T23:28:28+01:00", true)]
    [InlineData("registeredAt != 2018-06-18", true)]
    [InlineData("runningTasksCount == 1", true)]
    [InlineData("runningTasksCount > 0", true)]
    [InlineData("runningTasksCount < 1", false)]
    [InlineData("task:group == service:web", true)]
    [InlineData("task:group == service:*", true)]
    [InlineData("task:group == service:db", false)]
    [InlineData("task:group != service:web", false)]
    [InlineData("not(task:group == service:db)", true)]
    [InlineData("task:group in [service:db, service:web]", true)]
    [InlineData("task:group =~ service:w.*", true)]
    [InlineData("task:group !~ service:d.*", true)]
    [InlineData("attribute:ecs.os-type !exists", true)]
    public void Evaluate_Subject_MatchesEcs(string expression, bool expected) =>
        Assert.Equal(expected, MemberOfConstraint.Parse(expression).Matches(Instance));

    [Fact]
    public void Evaluate_AgentWithoutVersion_FailsEveryComparisonButNotEqual()
    {
        var instance = Host("x", agentVersion: null);

        Assert.False(MemberOfConstraint.Parse("agentVersion >= 0.0.1").Matches(instance));
        Assert.True(MemberOfConstraint.Parse("agentVersion != 1.0.0").Matches(instance));
    }

    [Theory]
    [InlineData("task:group == family:web", 0, false)]
    [InlineData("task:group == family:web", 1, true)]
    [InlineData("runningTasksCount == 1", 0, true)]
    [InlineData("runningTasksCount == 1", 1, false)]
    public void Evaluate_DynamicSubject_CountsTasksPlacedByTheRequest(string expression, int placedHere, bool expected)
    {
        var instance = Host("x", groups: Groups(("other", 1)));
        var constraint = MemberOfConstraint.Parse(expression);

        Assert.True(constraint.IsDynamic);
        Assert.Equal(expected, constraint.Query.Evaluate(new QueryContext(instance, placedHere, "family:web")));
    }

    [Theory]
    [InlineData("attribute:a == b and agentVersion > 1", false)]
    [InlineData("attribute:a == b or not task:group == x", true)]
    [InlineData("runningTasksCount < 3", true)]
    public void IsDynamic_DependsOnSubjects(string expression, bool expected) =>
        Assert.Equal(expected, MemberOfConstraint.Parse(expression).IsDynamic);
}
