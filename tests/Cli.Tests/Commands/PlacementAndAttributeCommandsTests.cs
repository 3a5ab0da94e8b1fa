using Orchestrator.Cli.Commands;
using Orchestrator.Cli.Tests.Fakes;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Cli.Tests.Commands;

public sealed class PlacementAndAttributeCommandsTests
{
    [Theory]
    [InlineData("type=memberOf,expression=\"attribute:zone in [a, b]\"", "memberOf", "attribute:zone in [a, b]")]
    [InlineData("type=memberOf,expression=attribute:zone in [a, b]", "memberOf", "attribute:zone in [a, b]")]
    [InlineData("expression=runningTasksCount < 3,type=memberOf", "memberOf", "runningTasksCount < 3")]
    [InlineData("type=distinctInstance", "distinctInstance", null)]
    public void Shorthand_AwsCliForms_Parse(string text, string type, string? expression)
    {
        var values = Shorthand.Parse(text, ["type", "expression"]);

        Assert.Equal(type, values["type"]);
        Assert.Equal(expression, values.GetValueOrDefault("expression"));
    }

    [Fact]
    public async Task TaskRun_PlacementOptions_AreSentInOrder()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Api.On("RunTask", new TasksResponse([], []));

        await CliHarness.RunAsync(server, "task", "run", "-t", "web",
            "--placement-constraint", "type=memberOf,expression=\"attribute:zone in [a, b]\"",
            "--placement-strategy", "type=spread,field=attribute:zone",
            "--placement-strategy", "type=binpack,field=memory");

        JsonAssert.Equal("""
            {"cluster":"default","taskDefinition":"web","count":1,
             "placementConstraints":[{"type":"memberOf","expression":"attribute:zone in [a, b]"}],
             "placementStrategy":[{"type":"spread","field":"attribute:zone"},{"type":"binpack","field":"memory"}]}
            """, Assert.Single(server.Api.Calls).Json);
    }

    [Fact]
    public async Task TaskRun_BadShorthand_IsAUsageError()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);

        var result = await CliHarness.RunAsync(server, "task", "run", "-t", "web", "--placement-strategy", "kind=spread");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("unknown key 'kind'", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(server.Api.Calls);
    }

    [Fact]
    public async Task AttributePut_SendsPutAttributes()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Api.On("PutAttributes", new AttributesResponse([]));

        var result = await CliHarness.RunAsync(server, "attribute", "put", "abc", "zone=b", "gpu");

        Assert.Equal(0, result.ExitCode);
        JsonAssert.Equal("""
            {"cluster":"default","attributes":[
              {"name":"zone","value":"b","targetType":"container-instance","targetId":"abc"},
              {"name":"gpu","targetType":"container-instance","targetId":"abc"}]}
            """, Assert.Single(server.Api.Calls).Json);
    }
}
